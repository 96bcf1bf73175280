"""Every form of the rule language scores exactly as docs/language.md says, at and around its edges.

The examples are in tests/forms_examples.py, one list per form; here each is scored alone, by
``Ruleset.evaluate``. tests/test_batch.py scores them many at once and tests/test_sql_parity.py on
DuckDB, and tests/test_explain_snapshots.py keeps their explanations.
"""

from __future__ import annotations

from collections import Counter

import pytest
from forms_examples import EXAMPLES, NOT_FORMS, Example, assert_outcome

import kpirules
from kpirules.forms import FORMS

EVERY = [
    pytest.param(key, example, id=f"{key}-{n}")
    for key, examples in EXAMPLES.items()
    for n, example in enumerate(examples)
]


def outcome_of(example: Example) -> kpirules.Result | kpirules.ValuesError:
    try:
        return example.ruleset().evaluate(example.values)
    except kpirules.ValuesError as err:
        return err


@pytest.mark.parametrize(("key", "example"), EVERY)
def test_each_example(key: str, example: Example) -> None:
    assert_outcome(example, outcome_of(example))


def module_of(form: object) -> str:
    return type(form).__module__.rsplit(".", 1)[1]


@pytest.mark.parametrize("module", sorted(module_of(form) for form in FORMS.values()))
def test_every_form_has_examples(module: str) -> None:
    """A registered form without examples in tests/forms_examples.py fails here, by name."""
    examples = EXAMPLES.get(module, [])
    assert examples, f"the form `{module}` has no examples: add EXAMPLES[{module!r}] to tests/forms_examples.py"
    assert any(e.score is not None for e in examples), f"the form `{module}` has no example that scores"


def test_every_key_is_a_form() -> None:
    forms = {module_of(form) for form in FORMS.values()}
    assert set(EXAMPLES) - forms == NOT_FORMS, "a key of EXAMPLES that is no form's module (a misspelling?)"


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_the_examples_of_a_form_are_told_apart(key: str) -> None:
    """Each example of a form differs from the others (its label names its snapshot)."""
    twice = [label for label, n in Counter(e.label for e in EXAMPLES[key]).items() if n > 1]
    assert not twice, twice
