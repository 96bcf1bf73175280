"""Writing a file atomically: readers see the old file or the new one, never half of one.

The output is written to a temporary file in the same folder, which then replaces the target,
keeping the permissions of the file it replaces (a new file gets the usual ``0o666 & ~umask``).
Workbooks, templates and encoded text (a CSV file with a byte-order mark, GB18030) are written so.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def replace_atomically(path: str | Path, write: Callable[[str], None]) -> None:
    """Call ``write`` with the name of a temporary file beside ``path``, then move it to ``path``.
    An OSError (a missing folder, no permission) propagates, and no temporary file is left."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes_atomically(path: str | Path, data: bytes) -> None:
    """``data`` to ``path``, atomically."""

    def write(name: str) -> None:
        with open(name, "wb") as handle:
            handle.write(data)

    replace_atomically(path, write)
