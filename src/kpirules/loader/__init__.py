"""Ruleset files to :class:`~kpirules.ruleset.Ruleset`: read the TOML, validate every table and
key, parse and type-check every rule and formula, and report all problems at once, each with the
``file:line:col`` of the key or of the spot inside the rule.

:mod:`.toml` parses the text; :mod:`.base` reads keys and types and collects problems; :mod:`.build`
builds the ruleset, :mod:`.reported` the published table; :mod:`.words` holds every message.
"""

from __future__ import annotations

from pathlib import Path as FilePath

from ..errors import RulesetError
from ..ruleset import Ruleset
from ..source import SourceFile, read_text
from ..tomlspans import scan
from .base import MAX_POINTS
from .build import _Builder
from .toml import parse_toml
from .words import M, _toml_messages, _toml_words

__all__ = ["MAX_POINTS", "M", "_Builder", "_toml_messages", "_toml_words", "load", "loads", "parse_toml"]


def load(path: str | FilePath) -> Ruleset:
    """Load, check and compile a ruleset file."""
    return loads(read_text(path, RulesetError), name=str(path))


def loads(text: str, *, name: str | None = None) -> Ruleset:
    """Load a ruleset from TOML text; ``name`` is used in error locations."""
    source = SourceFile(name or "<string>", text.replace("\r\n", "\n"))
    data = parse_toml(source)
    try:
        spans = scan(source.text)
    except (RecursionError, IndexError, ValueError):  # pragma: no cover - tomllib accepted it
        spans = {}
    return _Builder(source, spans, data, defer_values=True).build()
