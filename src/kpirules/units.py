"""Units of printed figures: money units (元, 千元, 万元 …) and percent signs, as powers of ten.

The loader uses it to validate ``[reported]`` figures; the audit to find 元/万元 slips.
"""

from __future__ import annotations

from .messages import Catalog

M = Catalog(
    "units",
    {
        "no_percent": ("类型为 `{type}` 的数据项不能以百分数列示", "a {type} cannot be printed as a percentage"),
        "no_unit": (
            "该数据项未声明计量单位，以 {unit} 列示的数值无法与它比较",
            "the measure declares no unit, so a figure in {unit} cannot be compared with it",
        ),
        "cannot_convert": (
            "{unit} 无法换算为该数据项的计量单位（{shown}）",
            "{unit} cannot be converted to the measure's unit ({shown})",
        ),
        "none": ("无单位", "no unit"),
    },
)

#: Money units as powers of ten of 元. A figure printed in one of these compares with an amount
#: measure declared in another by an exact power of ten.
MONEY: dict[str, int] = {
    "元": 0,
    "百元": 2,
    "千元": 3,
    "万元": 4,
    "十万元": 5,
    "百万元": 6,
    "千万元": 7,
    "亿元": 8,
}

#: Percent and permille signs as units of rates and numbers.
PERCENT: dict[str, int] = {"%": -2, "％": -2, "‰": -3}


class UnitMismatch(ValueError):
    """A figure's unit that cannot be converted to its measure's unit."""


def scale(unit: str | None, measure_unit: str | None, measure_type: str) -> int:
    """The power of ten that turns a number printed in ``unit`` into the measure's unit.

    >>> scale("万元", "元", "amount"), scale("元", "万元", "amount"), scale("%", None, "rate")
    (4, -4, -2)
    >>> scale(None, "元", "amount"), scale("件", "件", "count")
    (0, 0)
    """
    if unit is None or unit == measure_unit:
        return 0
    if unit in PERCENT:
        if measure_type not in ("rate", "number"):
            raise UnitMismatch(M("no_percent", type=measure_type))
        return PERCENT[unit]
    if unit in MONEY:
        if measure_unit in MONEY:
            return MONEY[unit] - MONEY[measure_unit]
        if measure_unit is None and measure_type == "amount":
            raise UnitMismatch(M("no_unit", unit=unit))
    shown = measure_unit if measure_unit is not None else M("none")
    raise UnitMismatch(M("cannot_convert", unit=unit, shown=shown))


def money_units_for(measure_unit: str | None) -> dict[str, int]:
    """The money units a figure of an amount in ``measure_unit`` could have been printed in."""
    return dict(MONEY) if measure_unit in MONEY else {}
