"""Rules generated from kpirules' own grammar with hypothesis.extra.lark.

``from_lark`` draws expansions uniformly, and a grammar as recursive as ours then mostly grows past
Hypothesis's buffer: most draws overrun and are thrown away. :class:`BoundedLarkStrategy` is the
same strategy with a depth budget: below ``max_depth`` it draws exactly as ``from_lark`` does;
deeper, it only draws the expansions that terminate soonest, so every draw yields a rule.
"""

from __future__ import annotations

import functools
from typing import Any

from hypothesis import strategies as st
from hypothesis.extra.lark import LarkStrategy
from lark import Lark
from lark.grammar import NonTerminal, Terminal
from lark.lexer import PatternStr

from kpirules.parser import grammar_text

NAMES = ["x", "rate", "n", "ok", "rating", "value", "unknown", "优", "良"]


class BoundedLarkStrategy(LarkStrategy):
    def __init__(self, grammar: Lark, start: str, explicit: dict[str, Any], max_depth: int = 3) -> None:
        super().__init__(grammar, start, explicit, st.characters())
        self.max_depth = max_depth
        self.depth = 0
        expansions = {name: strategy.elements for name, strategy in self.nonterminal_strategies.items()}  # type: ignore[attr-defined]
        height: dict[str, float] = {}
        changed = True
        while changed:  # least fixed point: the height of the shallowest derivation of each symbol
            changed = False
            for name, options in expansions.items():
                best = min(
                    1
                    + max(
                        (height.get(s.name, float("inf")) if isinstance(s, NonTerminal) else 0 for s in option),
                        default=0,
                    )
                    for option in options
                )
                if best < height.get(name, float("inf")):
                    height[name], changed = best, True
        self.shallow = {
            name: st.sampled_from(
                [
                    o
                    for o in options
                    if 1 + max((height[s.name] if isinstance(s, NonTerminal) else 0 for s in o), default=0)
                    == height[name]
                ]
            )
            for name, options in expansions.items()
        }

    def draw_symbol(self, data: Any, symbol: Any, draw_state: list[str]) -> None:
        if isinstance(symbol, Terminal) or self.depth < self.max_depth:
            self.depth += 1
            try:
                super().draw_symbol(data, symbol, draw_state)
            finally:
                self.depth -= 1
            return
        for part in data.draw(self.shallow[symbol.name]):
            self.draw_symbol(data, part, draw_state)
            draw_state.append(" ")


@functools.cache
def rules() -> st.SearchStrategy[str]:
    """Rule texts drawn from the grammar, with keywords and names spaced so they lex as such."""
    grammar = Lark(grammar_text(), parser="lalr", lexer="basic", maybe_placeholders=True)
    explicit: dict[str, st.SearchStrategy[str]] = {
        t.name: st.just(f" {t.pattern.value} ")
        for t in grammar.terminals
        if isinstance(t.pattern, PatternStr) and t.pattern.value.isalpha()
    }
    explicit.update(
        NAME=st.sampled_from(NAMES).map(lambda n: f" {n} "),
        NUMBER=st.sampled_from(["0", "1", "2.5", "100"]).map(lambda n: f" {n} "),
        DATE=st.sampled_from(["2021-12-31", "2022年1月1日"]).map(lambda n: f" {n} "),
        PERCENT=st.sampled_from(["0%", "50%", "95%", "100%"]).map(lambda n: f" {n} "),
        PERMILLE=st.just(" 5‰ "),
        POINTS=st.sampled_from(["1 pt", "2 pts", "0.5分"]).map(lambda n: f" {n} "),
        STRING=st.sampled_from(['"优"', "'良'", '"x"']),
        COMMENT=st.just("# note\n"),
        _NL=st.just("\n"),
        # blanks a TOML string can hold: the grammar's \f and lone \r are refused by TOML before the
        # rule is parsed, so drawing them would throw away the example
        WS=st.sampled_from([" ", "  ", "\t"]),
    )
    return BoundedLarkStrategy(grammar, "start", explicit)
