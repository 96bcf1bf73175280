"""Fixtures shared by the test modules; plain helpers live in support.py."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

import kpirules

ROOT = Path(__file__).parent.parent

# The SQL cache of a test run lives in a folder of its own (removed at exit), never in the user's
# cache: tests that look at the cache set their own folder on top of this one.
_CACHE = tempfile.mkdtemp(prefix="kpirules-tests-cache-")
os.environ["KPIRULES_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)


@pytest.fixture
def bishan() -> kpirules.Ruleset:
    return kpirules.load(ROOT / "rulesets" / "bishan_2022.toml")


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read messages in English, the language of the code (KPIRULES_LANG=en); a test of the
    Chinese words asks for them (``--lang zh``, ``use_language("zh")``), and the docs' examples
    run as a user runs them, in the default language (tests/test_docs.py clears the variable)."""
    monkeypatch.setenv("KPIRULES_LANG", "en")
