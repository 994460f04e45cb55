"""Printed unit names → units of one government's tree (exact name, alias, full ↔ short form), or a proposal.

Shared by the document intake and the Excel plan import. A name that matches nothing is never dropped: it is
proposed for creation (a collective as a named group), with the closest existing unit offered instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake import names as nm
from intake.units import alias_parts, is_collective
from plans.models import Department, UnitGroup

CLOSE_ENOUGH = 0.5


@dataclass(frozen=True)
class Resolution:
    name: str  # as printed
    kind: str  # "department" | "group" | "new_department" | "new_group"
    unit_id: int | None = None
    unit_name: str = ""
    how: str = ""  # "名称" | "其他写法" | "简称/全称" | ""
    suggestion_id: int | None = None
    suggestion_name: str = ""
    proposed_kind: str = ""

    @property
    def known(self) -> bool:
        return self.kind in ("department", "group")


class UnitResolver:
    """The units under `root` (two levels) and its named groups, read once (three queries)."""

    def __init__(self, root: Department) -> None:
        self.root = root
        children = list(Department.objects.filter(parent=root, is_active=True).order_by("order", "name"))
        grandchildren = list(Department.objects.filter(parent__parent=root, is_active=True).order_by("order", "name"))
        self.departments = [root, *children, *grandchildren]
        self.groups = list(UnitGroup.objects.filter(root=root).order_by("name"))
        self.exact: dict[str, tuple[Department, str]] = {}
        for dept in self.departments:
            for label, value in (
                ("名称", dept.name),
                ("其他写法", dept.short_name),
                *(("其他写法", a) for a in dept.aliases or []),
            ):
                if value:
                    self.exact.setdefault(value, (dept, label))
        self.group_names = {g.name: g for g in self.groups}

    def resolve(self, name: str) -> Resolution:
        name = name.strip()
        if name in self.group_names:
            group = self.group_names[name]
            return Resolution(name, "group", group.pk, group.name, "名称")
        if name in self.exact:
            dept, how = self.exact[name]
            return Resolution(name, "department", dept.pk, dept.name, how)
        if is_collective(name):
            return self._proposal(name, "new_group")
        for candidate in [name, *alias_parts(name)]:
            matches = {
                d.pk: d
                for d in self.departments
                if d is not self.root
                and any(
                    nm.same_unit(candidate, n, self.root.name) for n in (d.name, d.short_name, *(d.aliases or [])) if n
                )
            }
            if len(matches) == 1:
                dept = next(iter(matches.values()))
                return Resolution(name, "department", dept.pk, dept.name, "简称/全称")
        return self._proposal(name, "new_department")

    def _proposal(self, name: str, kind: str) -> Resolution:
        pool: list[tuple[int, str]] = (
            [(g.pk, g.name) for g in self.groups]
            if kind == "new_group"
            else [(d.pk, d.name) for d in self.departments if d is not self.root]
        )
        best = max(pool, key=lambda item: nm.similarity(name, item[1], self.root.name), default=None)
        if best is not None and nm.similarity(name, best[1], self.root.name) < CLOSE_ENOUGH:
            best = None
        return Resolution(
            name,
            kind,
            suggestion_id=best[0] if best else None,
            suggestion_name=best[1] if best else "",
            proposed_kind="" if kind == "new_group" else nm.proposed_kind(name),
        )

    def resolve_all(self, names: list[str]) -> dict[str, Resolution]:
        return {name: self.resolve(name) for name in dict.fromkeys(names)}
