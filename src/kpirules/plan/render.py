"""Plans as text (Chinese or English), JSON and CSV."""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..exact import CONTEXT
from ..model import Measure
from ..values import Converted, show
from .model import Marginal, Option, Plan, Single, Slope, UnitPlan
from .words import M

if TYPE_CHECKING:
    from ..ruleset import Ruleset

_SLOPE = Decimal("0.0001")


def value_text(measure: Measure, value: Converted | None, *, words: bool = True) -> str:
    """A value as people write it: a rate in percent (``47.4%``), a count or amount with its unit
    (in text), a yes/no value in words (in text) or ``true``/``false``, a level by its label."""
    if value is None:
        return ""
    if isinstance(value, bool):
        if words:
            return M("yes") if value else M("no")
        return "true" if value else "false"
    if isinstance(value, str):
        points = getattr(value, "points", None)  # a judged measure's level and points: "达成 10"
        return value if points is None else f"{value} {_rounded(points, 10)}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if measure.type == "rate":
        return _rounded(value.scaleb(2, context=CONTEXT), 2) + "%"
    if words and measure.unit:
        return f"{_rounded(value, 4)} {measure.unit}"
    return _rounded(value, 4)


def _rounded(value: Decimal, places: int) -> str:
    """``value`` as written, or, for a quotient that does not end (a derived rate such as
    500/576), rounded to ``places`` decimals after ``≈``."""
    exponent = value.normalize(CONTEXT).as_tuple().exponent
    if isinstance(exponent, int) and exponent < -10:
        return "≈" + show(value.quantize(Decimal(1).scaleb(-places), context=CONTEXT))
    return show(value)


def _name(rs: Ruleset, name: str) -> str:
    measure = rs.measures[name]
    return M("measure_name", label=measure.label, id=name) if measure.label else name


def slope_text(value: Decimal | None) -> str:
    if value is None:
        return "—"
    rounded = value.quantize(_SLOPE, context=CONTEXT)
    if rounded == 0 and value != 0:
        return show(CONTEXT.create_decimal(value).normalize(CONTEXT).quantize(Decimal("1e-10"), context=CONTEXT))
    return show(rounded)


def _exact(value: Decimal) -> str:
    """A figure computed through a quotient, to 10 decimals (an exact one as it is)."""
    rounded = value.quantize(Decimal("1e-10"), context=CONTEXT)
    return show(value if rounded == value else rounded)


# ---- text ---------------------------------------------------------------------------------------------
def _change_line(rs: Ruleset, option: Option, key: str) -> list[str]:
    out = []
    for change in option.changes:
        m = rs.measures[change.measure]
        text = M(
            key,
            measure=_name(rs, change.measure),
            before=value_text(m, change.before),
            after=value_text(m, change.after),
        )
        for name, before, after in change.derived:
            d = rs.measures[name]
            text += M("derived", measure=_name(rs, name), before=value_text(d, before), after=value_text(d, after))
        out.append(text)
    return out


def plan_text(rs: Ruleset, plan: Plan, marginal: Marginal | None = None) -> str:
    title = rs.title or rs.id
    label = M("target_label", label=plan.target_label) if plan.target_label else ""
    grade = plan.grade or M("no_grade")
    lines: list[str] = []
    if plan.unit:
        lines.append(plan.unit)
    if plan.reached:
        lines.append(
            M("heading_reached", title=title, total=plan.total, grade=grade, target=show(plan.target), label=label)
        )
    else:
        lines.append(
            M(
                "heading",
                title=title,
                total=plan.total,
                grade=grade,
                target=show(plan.target),
                label=label,
                gap=show(plan.gap),
            )
        )
        lines += _singles_text(rs, plan)
        if plan.size >= 2:
            lines.append("")
            lines.append(M("combos", count=plan.size))
            for n, option in enumerate(plan.options, 1):
                if option.short is not None and option.total_short is not None:
                    last = rs.measures[option.changes[-1].measure]
                    short = value_text(last, option.short)
                    lines.append(
                        M(
                            "combo_short",
                            n=n,
                            total_after=option.total_after,
                            short=short,
                            total_short=option.total_short,
                        )
                    )
                else:
                    lines.append(M("combo", n=n, total_after=option.total_after))
                lines += _change_line(rs, option, "combo_change")
        if plan.size >= 2 or (plan.size == 0 and not any(s.reaches for s in plan.singles)):
            lines.append("")
            if plan.size == 0:
                lines.append(M("none_found", count=_searched(plan)))
            if plan.bounds:
                lines.append(M("bounded", bound=M("joiner").join(M(key, count=n) for key, n in plan.bounds)))
            elif plan.size >= 2:
                lines.append(M("optimal"))
    if marginal is not None:
        lines.append("")
        lines += marginal_lines(rs, marginal)
    return "\n".join(lines) + "\n"


def _searched(plan: Plan) -> int:
    for key, n in plan.bounds:
        if key == "bound_size":
            return n
    return 3


def _singles_text(rs: Ruleset, plan: Plan) -> list[str]:
    lines = [M("singles")]
    reaching = sorted((s for s in plan.singles if s.option is not None), key=lambda s: s.option.relative)  # type: ignore[union-attr]
    rest = [s for s in plan.singles if s.option is None and s.best > plan.total]
    for s in reaching:
        assert s.option is not None
        m = rs.measures[s.measure]
        change = s.option.changes[0]
        fields = {
            "measure": _name(rs, s.measure),
            "before": value_text(m, change.before),
            "after": value_text(m, change.after),
            "total_after": s.option.total_after,
        }
        if s.option.short is None:
            text = M("single_flip", **fields)
        else:
            text = M("single", **fields, short=value_text(m, s.option.short), total_short=s.option.total_short)
        for name, before, after in change.derived:
            d = rs.measures[name]
            text += M("derived", measure=_name(rs, name), before=value_text(d, before), after=value_text(d, after))
        lines.append(text)
    for s in rest:
        m = rs.measures[s.measure]
        text = M(
            "cannot",
            measure=_name(rs, s.measure),
            best=s.best,
            before=value_text(m, s.before),
            after=value_text(m, s.best_value),
        )
        lines.append(text)
    if not reaching and not rest:
        lines.append(M("no_move"))
    dates = [n for n, m in rs.measures.items() if m.type == "date" and not m.derived and _read(rs, n)]
    if dates:  # held as they are: a plan changes figures, not the calendar
        lines.append(M("dates_held", measures=M("joiner").join(_name(rs, n) for n in dates)))
    return lines


def _read(rs: Ruleset, name: str) -> bool:
    return any(name in rs.inputs_of(ind.id) for ind in rs.indicators)


def marginal_lines(rs: Ruleset, marginal: Marginal) -> list[str]:
    lines = [M("marginal_heading")]
    full = 0
    for margin in marginal.margins:
        if not margin.to_gain:
            full += 1
            continue
        ind = rs.indicator(margin.indicator)
        lines.append(
            M(
                "marginal_indicator",
                name=ind.name,
                id=ind.id,
                score=margin.score,
                weight=show(margin.weight),
                left=show(margin.to_gain),
            )
        )
        moved = False
        for slope in margin.slopes:
            m = rs.measures[slope.measure]
            if m.type not in ("bool", "level", "judged") and (slope.up or slope.down):
                lines.append(
                    M(
                        "marginal_slope",
                        measure=_name(rs, slope.measure),
                        value=value_text(m, slope.value),
                        per=_per(m),
                        down=slope_text(slope.down),
                        up=slope_text(slope.up),
                    )
                )
                moved = True
            if slope.next_value is not None and slope.next_points is not None:
                gain = slope.next_points - margin.score
                fields = {
                    "measure": _name(rs, slope.measure),
                    "after": value_text(m, slope.next_value),
                    "points": slope.next_points,
                    "gain": f"+{gain}",
                }
                delta = _delta(m, slope.value, slope.next_value)
                if delta is None:
                    lines.append(M("marginal_next", **fields))
                else:
                    lines.append(M("marginal_next_by", **fields, delta=delta))
                moved = True
        if not moved:
            lines.append(M("marginal_none"))
    if full:
        lines.append(M("marginal_full_count", count=full))
    return lines


def _delta(measure: Measure, before: Converted, after: Converted) -> str | None:
    """How far a number moves, in words: "2 件 more", "12.6 percentage points more"."""
    if not isinstance(before, Decimal) or not isinstance(after, Decimal) or isinstance(before, bool):
        return None
    change = CONTEXT.subtract(after, before)
    size = abs(change)
    if measure.type == "rate":
        amount = M("points_pp", amount=_rounded(size.scaleb(2, context=CONTEXT), 2))
    else:
        amount = _rounded(size, 4) + (f" {measure.unit}" if measure.unit else "")
    return M("more" if change > 0 else "less", amount=amount)


def _per(measure: Measure) -> str:
    if measure.type == "rate":
        return M("per_point")
    return M("per_unit", unit=measure.unit) if measure.unit else M("per_one")


def units_text(rs: Ruleset, units: Sequence[UnitPlan]) -> str:
    lines = [rs.title or rs.id, M("units_heading", count=len(units))]
    for u in units:
        if u.error is not None:
            lines.append(M("unit_failed", unit=u.unit, error=u.error))
            continue
        grade = u.grade or M("no_grade")
        if u.target is None:
            lines.append(M("unit_top", unit=u.unit, total=u.total, grade=grade))
            continue
        if u.option is not None:
            c = u.option.changes[0]
            m = rs.measures[c.measure]
            change = M(
                "unit_change",
                measure=_name(rs, c.measure),
                before=value_text(m, c.before),
                after=value_text(m, c.after),
                total_after=u.option.total_after,
            )
        else:
            change = M("unit_none")
        lines.append(
            M(
                "unit_line",
                unit=u.unit,
                total=u.total,
                grade=grade,
                next=u.next_grade or show(u.target),
                gap=show(u.gap or Decimal(0)),
                change=change,
            )
        )
    return "\n".join(lines) + "\n"


# ---- JSON ---------------------------------------------------------------------------------------------
def option_dict(rs: Ruleset, option: Option) -> dict[str, Any]:
    changes = []
    for change in option.changes:
        m = rs.measures[change.measure]
        item: dict[str, Any] = {
            "measure": change.measure,
            "from": value_text(m, change.before, words=False),
            "to": value_text(m, change.after, words=False),
        }
        if change.derived:
            item["derived"] = [
                {
                    "measure": name,
                    "from": value_text(rs.measures[name], before, words=False),
                    "to": value_text(rs.measures[name], after, words=False),
                }
                for name, before, after in change.derived
            ]
        changes.append(item)
    out: dict[str, Any] = {
        "changes": changes,
        "total_after": str(option.total_after),
        "grade_after": option.grade_after,
        "relative_change": _exact(option.relative),
    }
    if option.short is not None and option.changes:
        last = rs.measures[option.changes[-1].measure]
        out["one_step_less"] = {"to": value_text(last, option.short, words=False), "total": str(option.total_short)}
    return out


def _single_dict(rs: Ruleset, s: Single) -> dict[str, Any]:
    m = rs.measures[s.measure]
    out: dict[str, Any] = {"measure": s.measure, "from": value_text(m, s.before, words=False), "reaches": s.reaches}
    if s.option is not None:
        out.update(option_dict(rs, s.option))
    else:
        out["best_total"] = str(s.best)
        out["best_to"] = value_text(m, s.best_value, words=False)
        if s.bound is not None:
            out["searched_to"] = value_text(m, s.bound, words=False)
    return out


def plan_dict(rs: Ruleset, plan: Plan, marginal: Marginal | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleset": rs.id,
        "target": show(plan.target),
        "target_grade": plan.target_label,
        "total": str(plan.total),
        "grade": plan.grade,
        "reached": plan.reached,
        "measures_changed": plan.size,
        "optimal": plan.optimal,
        "bounds": [{"bound": key.removeprefix("bound_"), "limit": n} for key, n in plan.bounds],
        "options": [option_dict(rs, o) for o in plan.options],
        "singles": [_single_dict(rs, s) for s in plan.singles if s.reaches or s.best > plan.total],
    }
    if plan.unit is not None:
        out = {"unit": plan.unit, **out}
    if marginal is not None:
        out["marginal"] = marginal_dict(rs, marginal)
    return out


def _slope_dict(rs: Ruleset, slope: Slope) -> dict[str, Any]:
    m = rs.measures[slope.measure]
    out: dict[str, Any] = {"measure": slope.measure, "value": value_text(m, slope.value, words=False)}
    if m.type not in ("bool", "level", "judged"):
        out["per"] = show(slope.per)
        out["points_per_unit_down"] = None if slope.down is None else _exact(slope.down)
        out["points_per_unit_up"] = None if slope.up is None else _exact(slope.up)
    if slope.next_value is not None:
        out["next_breakpoint"] = value_text(m, slope.next_value, words=False)
        out["points_there"] = str(slope.next_points)
    return out


def marginal_dict(rs: Ruleset, marginal: Marginal) -> list[dict[str, Any]]:
    return [
        {
            "indicator": margin.indicator,
            "score": str(margin.score),
            "weight": show(margin.weight),
            "to_gain": show(margin.to_gain),
            "measures": [_slope_dict(rs, s) for s in margin.slopes],
        }
        for margin in marginal.margins
    ]


def units_dict(rs: Ruleset, units: Sequence[UnitPlan]) -> dict[str, Any]:
    rows = []
    for u in units:
        row: dict[str, Any] = {
            "unit": u.unit,
            "total": None if u.total is None else str(u.total),
            "grade": u.grade,
            "next_grade": u.next_grade,
            "target": None if u.target is None else show(u.target),
            "gap": None if u.gap is None else show(u.gap),
            "options": [] if u.option is None else [option_dict(rs, u.option)],
        }
        if u.error is not None:
            row["error"] = u.error
        rows.append(row)
    return {"ruleset": rs.id, "units": rows}


def to_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# ---- CSV ----------------------------------------------------------------------------------------------
PLAN_COLUMNS = ("option", "measures", "measure", "from", "to", "total_after", "relative_change")
UNIT_COLUMNS = (
    "unit",
    "total",
    "grade",
    "next_grade",
    "target",
    "gap",
    "measure",
    "from",
    "to",
    "total_after",
    "error",
)


def plan_csv(rs: Ruleset, plan: Plan) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PLAN_COLUMNS)
    for n, option in enumerate(plan.options, 1):
        for change in option.changes:
            m = rs.measures[change.measure]
            writer.writerow(
                (
                    n,
                    len(option.changes),
                    change.measure,
                    value_text(m, change.before, words=False),
                    value_text(m, change.after, words=False),
                    option.total_after,
                    _exact(option.relative),
                )
            )
    return out.getvalue()


def units_csv(rs: Ruleset, units: Sequence[UnitPlan]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(UNIT_COLUMNS)
    for u in units:
        measure = before = after = total_after = ""
        if u.option is not None:
            c = u.option.changes[0]
            m = rs.measures[c.measure]
            measure, before, after = (
                c.measure,
                value_text(m, c.before, words=False),
                value_text(m, c.after, words=False),
            )
            total_after = str(u.option.total_after)
        writer.writerow(
            (
                u.unit,
                "" if u.total is None else u.total,
                u.grade or "",
                u.next_grade or "",
                "" if u.target is None else show(u.target),
                "" if u.gap is None else show(u.gap),
                measure,
                before,
                after,
                total_after,
                u.error or "",
            )
        )
    return out.getvalue()
