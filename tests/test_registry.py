"""Every node of the language reaches a handler in every pass, and a scoring form is one module.

The scoring forms live in ``kpirules.forms``, one module each, registered by being there; the
core expressions (numbers, names, operators, conditions, ``if``) are handled by each pass itself.
This test lists what each pass handles and fails, naming the node and the pass, when a form or an
expression has no handler somewhere: adding a form needs nothing but its module (and its grammar
production, docs and examples).
"""

from __future__ import annotations

import inspect
import pkgutil

import attrs
import pytest

import kpirules.forms as forms_package
from kpirules import ast
from kpirules.checker import _Checker
from kpirules.compiler import _EXACTNESS, Compiler, may_be_inexact
from kpirules.forms import FORMS, STEPS, Form
from kpirules.linter.analysis import RuleAnalysis
from kpirules.messages import Catalog
from kpirules.parser import grammar_text
from kpirules.sql.compile import RuleCompiler

#: The node types that are expressions (not parts of a form, such as a band of tiers).
EXPRESSIONS = [*ast.CORE, *FORMS]


def test_every_module_of_the_forms_package_is_a_registered_form() -> None:
    modules = {m.name for m in pkgutil.iter_modules(forms_package.__path__)} - forms_package._SHARED
    registered = {type(form).__module__.rsplit(".", 1)[1] for form in FORMS.values()}
    assert modules == registered
    for form in FORMS.values():
        assert isinstance(form, Form) and not inspect.isabstract(type(form))
        assert form.node.__module__ == type(form).__module__, "a form defines its own node"
        for step in form.steps:
            assert STEPS[step] is form and step.__module__ == type(form).__module__


@pytest.mark.parametrize("node", EXPRESSIONS, ids=lambda t: t.__name__)
def test_the_checker_handles(node: type[ast.Node]) -> None:
    checker = _Checker({}, None, None, scores=True)  # type: ignore[arg-type]
    assert node in checker.dispatch, f"the checker has no handler for {node.__name__}"


@pytest.mark.parametrize("node", EXPRESSIONS, ids=lambda t: t.__name__)
def test_the_compiler_handles(node: type[ast.Node]) -> None:
    assert node in FORMS or hasattr(Compiler, f"c_{node.__name__}"), f"the compiler has no c_{node.__name__}"


@pytest.mark.parametrize("node", EXPRESSIONS, ids=lambda t: t.__name__)
def test_the_sql_compiler_handles(node: type[ast.Node]) -> None:
    assert node in FORMS or hasattr(RuleCompiler, f"c_{node.__name__}"), f"the SQL compiler has no c_{node.__name__}"


@pytest.mark.parametrize("node", EXPRESSIONS, ids=lambda t: t.__name__)
def test_the_linter_handles(node: type[ast.Node]) -> None:
    assert node in FORMS or hasattr(RuleAnalysis, f"e_{node.__name__}"), f"the linter has no e_{node.__name__}"


def test_exactness_is_decided_for_every_expression() -> None:
    """``may_be_inexact`` has a rule for each core expression (forms answer for themselves) and
    refuses a node it does not know rather than calling it exact."""
    assert set(ast.CORE) <= set(_EXACTNESS)

    @attrs.frozen(eq=False)
    class Unknown(ast.Node):
        pass

    with pytest.raises(AssertionError, match="Unknown"):
        may_be_inexact(Unknown(ast.Span(0, 0)), ())


def test_every_form_explains_its_steps_in_every_language() -> None:
    for form in FORMS.values():
        assert isinstance(form.words, Catalog) and form.words.name.startswith("forms.")
        for key, text in form.words.items():
            assert text.zh and text.en and text.fields("zh") == text.fields("en"), f"{form.words.name}: {key}"


def test_every_builder_is_a_rule_of_the_grammar() -> None:
    text = grammar_text()
    for form in FORMS.values():
        for rule in form.builders:
            assert f"-> {rule}" in text or f"\n{rule}:" in text or f"?{rule}:" in text, rule


def test_every_form_declares_the_goals_its_steps_reach() -> None:
    """Coverage (``kpirules test --coverage``) asks each form for its goals and for what a traced
    step reached; what the form's examples reach is always among its goals, and each form's
    examples reach at least one."""
    from forms_examples import EXAMPLES

    for module, examples in EXAMPLES.items():
        if module not in {type(f).__module__.rsplit(".", 1)[1] for f in FORMS.values()}:
            continue
        reached_any = False
        for example in examples:
            if example.score is None:
                continue
            rs = example.ruleset()
            result = rs.evaluate(dict(example.values))
            goals = {
                (node.span.start, goal.detail)
                for node in ast.walk(rs.indicators[0].rule)
                if type(node) in FORMS
                for goal in FORMS[type(node)].goals(node)
            }
            for step in result["i"].trace:
                form = STEPS.get(type(step))
                if form is None:
                    continue
                for detail in form.reached(step):
                    reached_any = True
                    assert (step.span.start, detail) in goals, f"{module}: {example.label} reached {detail!r}"
        assert reached_any, f"{module}: no example reaches a goal"
