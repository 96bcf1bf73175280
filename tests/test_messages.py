"""Every word kpirules says has both languages (issue 11): one mechanism, checked as a whole.

Every module keeps its words in a :class:`kpirules.messages.Catalog`. This test imports every module,
so every catalog registers, and checks each message: a Chinese and an English text, the same named
fields in both, Chinese that is Chinese.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import kpirules
from kpirules.messages import CATALOGS, LANGS, Catalog, language, use_language

_CJK = re.compile(r"[\u3400-\u9fff]")
_OPTIONAL = ("pyspark",)


def _import_everything() -> None:
    for info in pkgutil.walk_packages(kpirules.__path__, "kpirules."):
        if info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError as err:  # an optional engine that is not installed
            if not any(name in str(err) for name in _OPTIONAL):
                raise


_import_everything()


def test_catalogs_are_registered() -> None:
    assert CATALOGS and all(isinstance(c, Catalog) for c in CATALOGS.values())


@pytest.mark.parametrize("name", sorted(CATALOGS))
def test_every_message_has_both_languages_with_the_same_fields(name: str) -> None:
    for key, text in CATALOGS[name].items():
        assert text.zh.strip() and text.en.strip(), f"{name}:{key} lacks a language"
        assert text.fields("zh") == text.fields("en"), f"{name}:{key}: fields differ"
        letters = re.sub(r"\{[^}]*\}|`[^`]*`|'[^']*'|\[[^\]]*\]", "", text.zh)
        if re.search(r"[A-Za-z]{4,}", letters) and not _CJK.search(text.zh):
            pytest.fail(f"{name}:{key}: the Chinese text is not Chinese: {text.zh!r}")


def test_a_brace_is_written_doubled_and_read_once_with_or_without_fields() -> None:
    """A message is a str.format template: ``{{`` is a brace, whether or not the message has fields
    (``kpirules test`` printed ``{{ total = … }}`` in a hint with none)."""
    words = Catalog("test-braces", {"plain": ("如 {{ a = 1 }}", "as {{ a = 1 }}"), "one": ("{x} {{}}", "{x} {{}}")})
    try:
        assert words.say("zh", "plain") == "如 { a = 1 }" and words.say("en", "plain") == "as { a = 1 }"
        assert words.say("en", "one", x=1) == "1 {}"
        assert words.templates("en")["plain"] == "as {{ a = 1 }}"  # the template itself stays as written
    finally:
        del CATALOGS["test-braces"]
    for name, catalog in CATALOGS.items():  # no message shows a doubled brace once said
        for key, text in catalog.items():
            if not text.fields("en"):
                assert "{{" not in catalog.say("en", key) and "{{" not in catalog.say("zh", key), f"{name}:{key}"


def test_the_language_comes_from_the_context_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KPIRULES_LANG", raising=False)
    assert language() == "zh"
    monkeypatch.setenv("KPIRULES_LANG", "en")
    assert language() == "en"
    with use_language("zh"):
        assert language() == "zh"
    assert language() == "en"
    with pytest.raises(ValueError):
        use_language("fr").__enter__()
    assert LANGS == ("zh", "en")
