"""Fixtures shared by the test modules; plain helpers live in support.py."""

from __future__ import annotations

from pathlib import Path

import pytest

import kpirules

ROOT = Path(__file__).parent.parent


@pytest.fixture
def bishan() -> kpirules.Ruleset:
    return kpirules.load(ROOT / "rulesets" / "bishan_2022.toml")
