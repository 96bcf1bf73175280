"""Scaffold a new scoring form: ``python scripts/new_form.py NAME``.

Writes ``src/kpirules/forms/NAME.py`` with the node, its trace record, its catalog of words and every
method a form implements (each raising ``NotImplementedError`` until you write it), then prints what
else a form needs: its grammar production, its section in docs/language.md and its examples. The
registry (``kpirules.forms``) picks the module up by itself; ``tests/test_registry.py`` then says
what is missing. See CONTRIBUTING.md, "Adding a scoring form".
"""

from __future__ import annotations

import argparse
import keyword
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "src" / "kpirules" / "forms"

TEMPLATE = '''"""``{keyword} …``: {summary}

Standards: "…（the published words）" → ``{keyword} …``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..ast import Expr, Node, Span
from ..exact import Fn
from ..intervals import Dom
from ..kinds import Kind, Type
from ..messages import Catalog
from .base import Form, Goal

if TYPE_CHECKING:
    from ..checker import _Checker as Checker
    from ..compiler import Compiler
    from ..explain import Explainer
    from ..intervals import Env as Domains
    from ..linter.analysis import RuleAnalysis
    from ..sql.rules import RuleCompiler
    from ..sql.values import V


@attrs.frozen(eq=False)
class {cls}(Node):
    """``{keyword} …``."""

    operand: Expr


@attrs.frozen
class {cls}Step:
    """What the form did, for its explanation; ``points`` is its last figure."""

    span: Span
    points: Decimal


class {cls}Form(Form[{cls}]):
    name = "{name}"
    node = {cls}
    #: grammar rule name -> builder(span, *children); add the production to grammar/kpirules.lark
    builders = {{"{rule}": lambda span, operand: {cls}(span, operand)}}
    steps = ({cls}Step,)
    words = Catalog(
        "forms.{name}",
        {{"{name}": ("…：得 {{p}} 分", "…: {{p}} points"), "goal": ("…（第 {{n}} 项）", "… ({{n}})")}},
    )

    def check(self, c: Checker, node: {cls}, want: Kind | None, levels: tuple[str, ...] | None) -> Type:
        raise NotImplementedError("{name}: the kind of the node (see forms/pass_.py)")

    def inexact(self, node: {cls}, value: Callable[[Node | None], bool], subject: bool) -> bool:
        raise NotImplementedError("{name}: may its value come from a quotient that does not end?")

    def compile(self, c: Compiler, node: {cls}) -> Fn:
        raise NotImplementedError("{name}: the closure f(env, trace), and its column form if it has one")

    def sql(self, s: RuleCompiler, node: {cls}) -> V:
        raise NotImplementedError("{name}: the node as SQL, through s only (see kpirules.sql.rules.RuleCompiler)")

    def interval(self, a: RuleAnalysis, node: {cls}, env: Domains) -> Dom:
        raise NotImplementedError("{name}: the values it can take, for the linter")

    def explain(self, step: {cls}Step, x: Explainer) -> str:
        return self.words.say(x.lang, "{name}", p=step.points)

    def goals(self, node: {cls}) -> Sequence[Goal]:
        raise NotImplementedError("{name}: what test cases should make it do (each band, branch, regime …)")

    def reached(self, step: {cls}Step) -> Iterable[str | int]:
        raise NotImplementedError("{name}: the goals one of its steps reached")


FORM = {cls}Form()
'''


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the form's name, lower case: a Python identifier (best_of)")
    parser.add_argument("--keyword", help="the word that starts it in a rule (default: the name)")
    parser.add_argument("--summary", default="what it scores.", help="one line for the module's docstring")
    parser.add_argument("--forms", type=Path, default=FORMS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    name: str = args.name
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or keyword.iskeyword(name):
        parser.error(f"{name!r} is not a lower-case Python identifier (add _ to a keyword: pass_)")
    target = args.forms / f"{name}.py"
    if target.exists():
        parser.error(f"{target} exists already")
    cls = "".join(part.capitalize() for part in name.split("_") if part)
    word = args.keyword or name.rstrip("_")
    rule = f"{name.rstrip('_')}_form"
    target.write_text(TEMPLATE.format(name=name, cls=cls, keyword=word, rule=rule, summary=args.summary), "utf-8")
    print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    print(
        "now:\n"
        f'  1. grammar/kpirules.lark: a production `| "{word}" … -> {rule}` (in the `form` rule)\n'
        f"  2. {target.name}: write check, inexact, compile, interval and explain (forms/pass_.py is a short model)\n"
        f"  3. its SQL: the `sql` method, reaching everything through `s` (kpirules.sql.rules.RuleCompiler)\n"
        f"  4. docs/language.md: a section with the standard's own words and a runnable example\n"
        f"  5. tests/forms_examples.py: its examples (scored one unit, many units and on DuckDB alike)\n"
        "  6. python -m pytest tests/test_registry.py: it says what is still missing"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
