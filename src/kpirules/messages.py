"""Every word kpirules says to a person, in Chinese and in English: one mechanism for all of them.

A module keeps its words in one :class:`Catalog`: each message has a key and its text in both
languages, side by side, with the same named fields (``{value}``, ``{measure}``)::

    M = Catalog("values", {
        "negative": ("{raw} 为负数，而 {name} 未声明允许负数的取值范围",
                     "{raw} is negative, and {name} declares no range that allows it"),
    })
    raise ValueProblem(M("negative", raw="-3", name="amount"))

Errors, warnings, hints, lint and audit messages, explanations, table headings and the command
line's own words all go through catalogs; ``tests/test_messages.py`` checks that every message of
every catalog has both languages with the same fields, and that a Chinese run of the bad-input
tests prints no English sentence.

**The language** is the one set for the current context (:func:`use_language`, or
:func:`set_language`, which the command line calls with ``--lang``), else the environment variable
``KPIRULES_LANG``, else Chinese. Lint codes, file locations and the keys of JSON and SARIF output
are the same in every language; only the words change.
"""

from __future__ import annotations

import contextlib
import os
import string
from collections.abc import Iterator, Mapping
from contextvars import ContextVar, Token
from typing import NamedTuple

#: The languages kpirules speaks; the first is the default.
LANGS = ("zh", "en")
DEFAULT = "zh"
ENVIRONMENT = "KPIRULES_LANG"

_chosen: ContextVar[str | None] = ContextVar("kpirules_language", default=None)


def language() -> str:
    """The current language: the one set for this context, else ``$KPIRULES_LANG``, else ``zh``."""
    chosen = _chosen.get()
    if chosen is not None:
        return chosen
    from_env = os.environ.get(ENVIRONMENT, "").strip().lower()
    return from_env if from_env in LANGS else DEFAULT


def check_language(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def set_language(lang: str | None) -> Token[str | None]:
    """Speak ``lang`` from now on in this context (None: back to the environment's or the default);
    the token undoes it (:meth:`ContextVar.reset`)."""
    return _chosen.set(check_language(lang) if lang is not None else None)


def reset_language(token: Token[str | None]) -> None:
    _chosen.reset(token)


@contextlib.contextmanager
def use_language(lang: str) -> Iterator[None]:
    """Speak ``lang`` inside the ``with`` block."""
    token = set_language(lang)
    try:
        yield
    finally:
        _chosen.reset(token)


class Text(NamedTuple):
    """One message in both languages, with the same named fields. (A named tuple, as are
    :class:`~kpirules.errors.Location` and the rule sources of :mod:`kpirules.source`, so that a
    command that needs only messages and errors, ``kpirules score --engine duckdb`` on a cached
    run, does not import attrs: 18 ms of its start.)"""

    zh: str
    en: str

    def __call__(self, lang: str | None = None, /, **fields: object) -> str:
        template = self.zh if (lang or language()) == "zh" else self.en
        if fields or "{{" in template or "}}" in template:  # a brace is written doubled, as in str.format
            return template.format(**fields)
        return template

    def fields(self, lang: str) -> set[str]:
        template = self.zh if lang == "zh" else self.en
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}


#: Every catalog, by name, for the test that checks them all.
CATALOGS: dict[str, Catalog] = {}


class Catalog(Mapping[str, Text]):
    """The messages of one module (or one form): key → :class:`Text`."""

    def __init__(self, name: str, texts: Mapping[str, tuple[str, str]]) -> None:
        self.name = name
        self._texts = {key: Text(zh, en) for key, (zh, en) in texts.items()}
        CATALOGS[name] = self

    def __call__(self, key: str, /, **fields: object) -> str:
        """Message ``key`` in the current language, its fields filled in."""
        return self._texts[key](None, **fields)

    def say(self, lang: str, key: str, /, **fields: object) -> str:
        """Message ``key`` in ``lang``."""
        return self._texts[key](lang, **fields)

    def templates(self, lang: str) -> dict[str, str]:
        """Every message of the catalog in ``lang``, unformatted: ``templates("zh")["total"]``."""
        return {key: text.zh if lang == "zh" else text.en for key, text in self._texts.items()}

    def __getitem__(self, key: str) -> Text:
        return self._texts[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def __repr__(self) -> str:
        return f"Catalog({self.name!r}, {len(self)} messages)"
