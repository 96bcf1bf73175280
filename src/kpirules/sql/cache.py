"""A cache of generated SQL text, so that a repeated run need not import sqlglot nor compile.

The SQL is always built by sqlglot from expression trees (:mod:`kpirules.sql.compile`); what is
kept here is the text sqlglot generated, under a key that covers everything the text depends on:
the ruleset's file name and text, the statement's inputs (the column names and types of the file
of units, the bounds read from it, the output format), the language of its failure messages
(:func:`kpirules.messages.language`), this cache's format, the version of
kpirules and the size and modification time of every file of the installed kpirules and sqlglot
packages (so an upgrade, or an edit of a development checkout, starts afresh).

Where it lives: ``$KPIRULES_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/kpirules/sql`` (default
``~/.cache/kpirules/sql``), ``~/Library/Caches/kpirules/sql`` on macOS and
``%LOCALAPPDATA%\\kpirules\\Cache\\sql`` on Windows. ``KPIRULES_NO_CACHE=1`` turns it off. Any
error reading or writing it (a read-only or missing home, a full disk, a damaged entry) means a
miss, silently: the query is then compiled as if there were no cache. Entries are written to a
temporary file and renamed, so a reader sees a whole entry or none; they can be deleted at any
time.

This module imports neither sqlglot nor duckdb.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from .._version import __version__
from ..messages import language

#: Bumped when the layout of entries changes.
FORMAT = 1
#: Names of the environment variables that control the cache.
DISABLE_ENV = "KPIRULES_NO_CACHE"
DIR_ENV = "KPIRULES_CACHE_DIR"


def enabled() -> bool:
    """False when ``KPIRULES_NO_CACHE`` is set to anything but ``""`` or ``"0"``."""
    return os.environ.get(DISABLE_ENV, "").strip() in ("", "0")


def cache_dir() -> Path | None:
    """The directory of SQL entries (not created here); None when the cache is off or there is
    no home directory to put it in."""
    if not enabled():
        return None
    explicit = os.environ.get(DIR_ENV, "")
    if explicit:
        return Path(explicit)
    try:
        if sys.platform == "win32":
            local = os.environ.get("LOCALAPPDATA", "")
            base = Path(local) if local else Path.home() / "AppData" / "Local"
            return base / "kpirules" / "Cache" / "sql"
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Caches" / "kpirules" / "sql"
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    except (RuntimeError, OSError):  # no home directory
        return None
    return base / "kpirules" / "sql"


_FINGERPRINT: str | None = None


def _tree_fingerprint(root: Path, digest: Any) -> None:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(folder, name)
            st = os.stat(path)
            digest.update(f"{os.path.relpath(path, root)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())


def fingerprint() -> str:
    """What the generated text depends on besides a statement's own inputs: the versions and
    files of kpirules and sqlglot (computed once per process; never imports sqlglot)."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        import importlib.util

        digest = hashlib.sha256(f"format {FORMAT}; kpirules {__version__}\n".encode())
        _tree_fingerprint(Path(__file__).resolve().parent.parent, digest)
        spec = importlib.util.find_spec("sqlglot")
        origin = spec.origin if spec is not None else None
        if origin:  # an upgrade rewrites these
            for name in ("__init__.py", "_version.py"):
                path = Path(origin).parent / name
                if path.exists():
                    st = path.stat()
                    digest.update(f"sqlglot/{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        _FINGERPRINT = digest.hexdigest()
    return _FINGERPRINT


def ruleset_key(rs: Any) -> str | None:
    """The part of a key that names a ruleset: :func:`source_key` of its file name and text; None
    for a ruleset that was not loaded from text (then nothing is cached for it)."""
    source = getattr(rs, "source", None)
    if source is None:
        return None
    name, text = getattr(source, "name", None), getattr(source, "text", None)
    if not isinstance(name, str) or not isinstance(text, str):
        return None
    return source_key(name, text)


def source_key(name: str, text: str) -> str:
    """A digest of a ruleset's file name and text (as :func:`kpirules.load` reads them)."""
    # a file name that is not UTF-8 (GBK bytes from an archive made on Windows) keeps its bytes
    return hashlib.sha256(f"{len(name)}:{name}\0{text}".encode("utf-8", "surrogateescape")).hexdigest()


class SqlCache:
    """Entries of generated SQL: a JSON object of strings (and lists of strings) per key."""

    def __init__(self, directory: Path | None, stamp: str = "") -> None:
        self.directory = directory
        self.stamp = stamp

    @classmethod
    def default(cls) -> SqlCache:
        """The user's cache, or a disabled one (see the module's documentation)."""
        directory = cache_dir()
        if directory is None:
            return cls(None)
        try:
            stamp = fingerprint()
        except OSError:
            return cls(None)
        return cls(directory, stamp)

    def _key(self, kind: str, parts: Any) -> str:
        # the language too: a query holds its failure messages, worded when it is compiled
        return json.dumps([FORMAT, self.stamp, language(), kind, parts], ensure_ascii=False, separators=(",", ":"))

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / (hashlib.sha256(key.encode()).hexdigest() + ".json")

    def get(self, kind: str, parts: Any) -> dict[str, Any] | None:
        """The entry stored under ``(kind, parts)``; None when there is none or it cannot be read."""
        if self.directory is None:
            return None
        key = self._key(kind, parts)
        try:
            with open(self._path(key), encoding="utf-8") as handle:
                stored = json.load(handle)
        except (OSError, ValueError):
            return None
        if not isinstance(stored, dict) or stored.get("key") != key or not isinstance(stored.get("value"), dict):
            return None
        value: dict[str, Any] = stored["value"]
        return value

    def put(self, kind: str, parts: Any, value: dict[str, Any]) -> None:
        """Store ``value`` under ``(kind, parts)`` atomically; any OSError leaves the cache as it was."""
        if self.directory is None:
            return
        key = self._key(kind, parts)
        text = json.dumps({"key": key, "value": value}, ensure_ascii=False)
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".entry.", suffix=".tmp", dir=self.directory)
        except OSError:
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, self._path(key))
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
