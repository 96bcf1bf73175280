"""Checks of the ruleset's tables: weights and totals, groups, grades, unused measures, rates
without a range, and the ruleset's own [values] scored as `kpirules score` scores them."""

from __future__ import annotations

from decimal import Decimal

from ...errors import KpiRulesError, ValuesError
from ...hierarchy import shares_add_up
from ...tomlspans import Path
from .common import Raw, grades_in_file_order, indicator_at, ruleset_number
from .rules import RuleChecks
from .words import M


class TableChecks(RuleChecks):
    """The ruleset-wide checks."""

    def own_values(self) -> None:
        """Score the ruleset's own [values], as `kpirules score FILE` does, and report what fails:
        a value its measure refuses (KPI-S104, at the value), a rule or formula that cannot score
        them or a value an indicator needs and does not have (KPI-S105, at the rule)."""
        rs = self.rs
        if not any(path[:1] == ("values",) for path in rs.spans):
            return
        try:
            rs.evaluate()
        except ValuesError as err:
            problems: list[KpiRulesError] = list(err.problems)
        else:
            return
        at_values: dict[tuple[int | None, int | None], str] = {
            (loc.line, loc.column): name for name, loc in rs.value_locations.items() if loc.line is not None
        }
        table = [(M("own_values"), None, None, ("values",))]
        for problem in problems:
            loc = problem.location
            name = at_values.get((loc.line, loc.column)) if loc is not None else None
            if name is not None:
                self.out.append(
                    Raw("KPI-S104", M("values_problem", message=problem.message), problem.hint, path=("values", name))
                )
                continue
            self.out.append(
                Raw(
                    "KPI-S105",
                    M("own_values_fail", message=problem.message),
                    problem.hint,
                    location=loc,
                    indicator=indicator_at(rs, loc),
                    related=list(table),
                )
            )

    # -- ruleset-wide -------------------------------------------------------------------------
    def weights(self) -> None:
        rs = self.rs
        counted = [ind for ind in rs.rows if not ind.bonus]
        total = sum((ind.weight for ind in counted), Decimal(0))
        if total == rs.header.total or not rs.indicators or shares_add_up(counted, rs.header.total):
            return
        path: Path = ("ruleset", "total") if ("ruleset", "total") in rs.spans else ("ruleset",)
        bonus = len(rs.rows) - len(counted)
        note = M("bonus_note", count=bonus) if bonus else ""
        self.out.append(
            Raw(
                "KPI-W201",
                M(
                    "weights_total",
                    count=len(counted),
                    weights=ruleset_number(total),
                    total=ruleset_number(rs.header.total),
                    note=note,
                ),
                M("weights_total_help"),
                {"weights": ruleset_number(total), "total": ruleset_number(rs.header.total)},
                path=path,
                key=path == ("ruleset",),
            )
        )

    def groups(self) -> None:
        rs = self.rs
        seen: dict[tuple[str, ...], int] = {}
        index = 0
        for i, group in enumerate(rs.groups):
            index = i
            path: Path = ("groups", index, "weight")
            if group.path in seen:
                self.out.append(
                    Raw(
                        "KPI-R103",
                        M("group_twice", group=" / ".join(group.path), first=seen[group.path] + 1),
                        M("group_twice_help"),
                        path=("groups", index, "path"),
                    )
                )
                continue
            seen[group.path] = i
            members = [ind for ind in rs.rows if ind.path[: len(group.path)] == group.path and not ind.bonus]
            total = sum((ind.weight for ind in members), Decimal(0))
            if total != group.weight and not shares_add_up(members, group.weight):
                shown = " / ".join(group.path)
                self.out.append(
                    Raw(
                        "KPI-W202",
                        M(
                            "group_weights",
                            count=len(members),
                            group=shown,
                            weights=ruleset_number(total),
                            weight=ruleset_number(group.weight),
                        ),
                        M("group_weights_help"),
                        {"weights": ruleset_number(total), "group": ruleset_number(group.weight)},
                        path=path,
                    )
                )

    def grades(self) -> None:
        rs = self.rs
        if "grades" not in {p[0] for p in rs.spans if p}:
            return  # the national default bands
        grades = [(label, bound) for label, bound in grades_in_file_order(rs)]
        if not grades:
            return
        lowest = min(bound for _, bound in grades)
        if lowest > 0:
            label = min(grades, key=lambda g: g[1])[0]
            self.out.append(
                Raw(
                    "KPI-G206",
                    M("grades_start", bound=ruleset_number(lowest), label=label),
                    M("grades_start_help"),
                    {"total": ruleset_number(lowest - 1 if lowest >= 1 else Decimal(0))},
                    path=("grades", label),
                    key=True,
                )
            )
        first: dict[Decimal, str] = {}
        for label, bound in grades:
            if bound in first:
                self.out.append(
                    Raw(
                        "KPI-G207",
                        M("grades_repeat", label=label, bound=ruleset_number(bound), other=first[bound]),
                        M("grades_repeat_help"),
                        path=("grades", label),
                        key=True,
                        related=[
                            (M("grades_repeat_related", other=first[bound]), None, None, ("grades", first[bound]))
                        ],
                    )
                )
            else:
                first[bound] = label
        most = sum((ind.weight for ind in rs.indicators), Decimal(0))
        if rs.indicators:
            for label, bound in grades:
                if bound > most:
                    self.out.append(
                        Raw(
                            "KPI-G208",
                            M("grade_unreachable", label=label, bound=ruleset_number(bound), most=ruleset_number(most)),
                            M("grade_unreachable_help"),
                            {"total": ruleset_number(most)},
                            path=("grades", label),
                            key=True,
                        )
                    )

    def unused(self) -> None:
        rs = self.rs
        used: set[str] = set()
        pending: list[str] = []
        for ind in rs.indicators:
            pending.extend(rs.checked[ind.id].measures)
            if ind.measure is not None:
                pending.append(ind.measure)
        while pending:
            name = pending.pop()
            if name in used:
                continue
            used.add(name)
            if name in rs.formulas:
                pending.extend(rs.formulas[name].measures)
        for name, measure in rs.measures.items():
            if name not in used:
                derived = M("unused_derived") if measure.derived else ""
                self.out.append(
                    Raw(
                        "KPI-R102",
                        M("unused", name=name, derived=derived),
                        M("unused_help"),
                        path=("measures", name),
                        key=True,
                    )
                )
        scaled = {measure.scale for measure in rs.measures.values()}
        for name in rs.scales:
            if name not in scaled:
                self.out.append(
                    Raw(
                        "KPI-R102",
                        M("unused_scale", name=name),
                        M("unused_scale_help", name=name),
                        path=("scales", name),
                        key=True,
                    )
                )

    def rate_ranges(self) -> None:
        """An input rate with no declared range: lint and the scorer take it from 0 up, without end;
        most rates stop at 100 %, and saying so catches 150 % typed for 15 %."""
        for name, measure in self.rs.measures.items():
            if measure.type != "rate" or measure.range is not None or measure.derived:
                continue
            self.out.append(
                Raw(
                    "KPI-B305",
                    M("rate_range", name=name),
                    M("rate_range_help"),
                    path=("measures", name),
                    key=True,
                )
            )

    # -- formulas and rules -------------------------------------------------------------------
