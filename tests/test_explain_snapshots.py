"""The explanation of every example of every form (tests/forms_examples.py), in Chinese and in
English, as kept in tests/__snapshots__/test_explain_snapshots.ambr: a change of wording shows up
as a diff of that file, to be reviewed.

After a change meant to change what an explanation says, ``python -m pytest
tests/test_explain_snapshots.py --snapshot-update`` rewrites the snapshots (and removes those of
examples that are gone); read ``git diff tests/__snapshots__`` before committing it. The examples
that fail have no explanation and no snapshot (tests/test_forms.py checks their messages).
"""

from __future__ import annotations

import pytest
from forms_examples import EXAMPLES
from syrupy.assertion import SnapshotAssertion


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_the_explanations_of_a_forms_examples(key: str, snapshot: SnapshotAssertion) -> None:
    explained = {}
    for example in EXAMPLES[key]:
        if example.score is None:
            continue
        item = example.ruleset().evaluate(example.values)["i"]
        explained[example.label] = {"zh": item.explain("zh"), "en": item.explain("en")}
    assert explained == snapshot
