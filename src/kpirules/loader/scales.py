"""``[scales.NAME]``: shared scales, and the bare ``grade`` that uses one.

A scale is written once, in the rule language's own band syntax (``达成: [80%, 100%]`` …, the bands
of ``grade``), and used by name: ``scale = "NAME"`` on a ``level`` or ``judged`` measure gives its
levels, and a bare ``grade`` (or ``grade X``) on that measure scores by its bands. The loader parses
the bands with the grammar (errors point into the TOML string) and puts them into each bare
``grade`` node before the checker sees the rule, so that every pass reads an ordinary ``grade``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from .. import ast
from ..errors import KpiRulesError, RuleTypeError
from ..forms.bands import Interval
from ..forms.grade import FORM as GRADE
from ..forms.grade import Grade, GradeBand
from ..model import Measure, Scale
from ..parser import parse_rule
from ..source import RuleSource, TextMap
from ..tomlspans import Path
from .base import Base, _describe_path
from .words import M

#: The bands of a scale are parsed as the braces of a ``grade``.
_PREFIX = "grade {\n"
_SUFFIX = "\n}"


class ScaleReader(Base):
    """Reads ``[scales]`` and resolves the bare ``grade`` of each rule."""

    def scales(self, raw: Any) -> dict[str, Scale]:
        table = self.table(("scales",), raw, _describe_path(("scales",)))
        out: dict[str, Scale] = {}
        for name, spec in (table or {}).items():
            path: Path = ("scales", name)
            body = self.table(path, spec, _describe_path(path))
            if body is None:
                continue
            self.keys(path, body, ("bands", "label", "description"), ("bands",))
            text = self.get(path, body, "bands", self.string)
            label = self.get(path, body, "label", self.string)
            description = self.get(path, body, "description", self.string)
            parsed = self.scale_bands((*path, "bands"), text) if text is not None else None
            if parsed is None:
                self.broken_scales.add(name)
                continue
            bands, source = parsed
            out[name] = Scale(name, bands, source, label=label, description=description)
        return out

    _broken_scales: set[str] | None = None

    @property
    def broken_scales(self) -> set[str]:
        """Declared scales whose declaration has errors (a measure that names one is not reported again)."""
        if self._broken_scales is None:
            self._broken_scales = set()
        return self._broken_scales

    def scale_bands(self, path: Path, text: str) -> tuple[tuple[GradeBand, ...], RuleSource] | None:
        """The bands of a scale, parsed as the braces of ``grade``; None (and problems) if they are not."""
        span = self.spans.get(path)
        mapping = None
        if span is not None and span.text is not None:
            inner = span.text
            offsets = [inner(0)] * len(_PREFIX)
            offsets += [inner(i) for i in range(len(text) + 1)]
            offsets += [inner(len(text))] * len(_SUFFIX)
            mapping = TextMap(0, offsets)
        source = RuleSource(_PREFIX + text + _SUFFIX, self.source, mapping)
        try:
            tree = parse_rule(source)
        except KpiRulesError as err:
            self.problems.append(err)
            return None
        if not isinstance(tree, Grade) or tree.subject is not None or tree.by is not None or not tree.bands:
            self.problem(path, M("scale_shape"), M("scale_shape_hint"), code="KPI-S104")
            return None
        ok = True
        seen: set[str] = set()
        for band in tree.bands:
            if band.label in seen:
                self._at(source, band.label_span, M("scale_twice", label=band.label))
                ok = False
            seen.add(band.label)
            ends = (band.score.low, band.score.high) if isinstance(band.score, Interval) else (band.score,)
            for end in ends:
                if not _score_literal(end):
                    self._at(source, end.span, M("scale_score"), M("scale_score_hint"))
                    ok = False
        return (tree.bands, source) if ok else None

    def _at(self, source: RuleSource, span: ast.Span, message: str, hint: str | None = None) -> None:
        location = source.location(span.start, span.end)
        self.problems.append(RuleTypeError(message, location=location, hint=hint, code="KPI-S104"))

    def use_scales(
        self,
        rule: ast.Expr,
        source: RuleSource,
        subject: str | None,
        measures: Mapping[str, Measure],
        scales: Mapping[str, Scale],
    ) -> ast.Expr:
        """``rule`` with each bare ``grade`` given the bands of its measure's scale. One whose
        measure has no scale is left bare, for the checker to report."""
        if not any(isinstance(node, Grade) and node.unresolved for node in ast.walk(rule)):
            return rule

        def resolve(node: ast.Node) -> ast.Node:
            if not isinstance(node, Grade) or not node.unresolved:
                return node
            name = subject if node.subject is None or isinstance(node.subject, ast.ValueRef) else None
            if isinstance(node.subject, ast.Name):
                name = node.subject.name
            measure = measures.get(name) if name is not None else None
            if measure is None or measure.scale is None or measure.scale not in scales:
                return node
            scale = scales[measure.scale]
            judged = measure.type == "judged"
            if not judged and any(isinstance(b, GradeBand) and isinstance(b.score, Interval) for b in scale.bands):
                self._at(
                    source,
                    node.span,
                    GRADE.words("level_needs_points", scale=scale.name, name=measure.name),
                    GRADE.words("hint_level_needs_points", name=measure.name),
                )
            at = node.span
            bands = tuple(
                GradeBand(at, band.label, at, _respan(band.score, at))
                for band in scale.bands
                if isinstance(band, GradeBand)
            )
            return attrs.evolve(node, bands=bands, scale=scale.name, measure=measure.name if judged else None)

        result: ast.Expr = _rebuild(rule, resolve)
        return result


def _score_literal(node: ast.Node) -> bool:
    """``full``, ``zero``, ``N pts``, ``N%`` (a share of the weight) or ``0``."""
    if isinstance(node, (ast.Full, ast.Zero, ast.Points)):
        return True
    return isinstance(node, ast.Number) and (node.unit != "" or node.value == 0)


def _respan(node: Any, span: ast.Span) -> Any:
    """A band's score placed at ``span`` of the rule that uses the scale (its words are the scale's)."""
    if isinstance(node, Interval):
        return attrs.evolve(node, span=span, low=_respan(node.low, span), high=_respan(node.high, span))
    return attrs.evolve(node, span=span)


def _rebuild(value: Any, fn: Callable[[ast.Node], ast.Node]) -> Any:
    """``value`` (a node, or a tuple holding nodes) with ``fn`` applied to every node, children first;
    what does not change is kept as it is."""
    if isinstance(value, tuple):
        parts = tuple(_rebuild(v, fn) for v in value)
        return value if all(a is b for a, b in zip(parts, value, strict=True)) else parts
    if not isinstance(value, ast.Node):
        return value
    changes = {}
    for field in attrs.fields(type(value)):
        old = getattr(value, field.name)
        if isinstance(old, (ast.Node, tuple)):
            new = _rebuild(old, fn)
            if new is not old:
                changes[field.name] = new
    node = attrs.evolve(value, **changes) if changes else value
    return fn(node)
