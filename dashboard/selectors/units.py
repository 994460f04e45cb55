"""Who carries a shortfall: lead units with where they come from, responsible and cooperating units.

A plan often names units for a task or a whole section rather than for each target in it. An indicator or task that
names no 牵头单位 of its own is shown with the lead of the task it sits in (所在任务), of a task it measures (承载任务),
or of its section or an enclosing one — and the page says which ("区委组织部（据任务3.）"). Nothing is written: the
inheritance is a reading, worked out on every view from one query over the plans' named units.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import CharField, IntegerField, Value
from django.utils.translation import gettext as _

from dashboard.selectors.unit_index import IndexedIndicator
from indicators.models import Indicator, IndicatorAssignment
from plans.models import Role, Section, SectionAssignment, Task, TaskAssignment

_MAX_DEPTH = 12  # sections nest a few levels; a guard against a cycle typed in the admin


@dataclass(frozen=True)
class UnitName:
    """A unit as printed, linked when it resolves to one unit (the shape the `unit_links` tag reads)."""

    department_id: int | None
    display_name: str


@dataclass(frozen=True)
class Lead:
    units: list[UnitName]
    source: str = ""  # "" when the item names its own lead; else what it is inherited from ("任务3." or a section)

    @property
    def department_ids(self) -> set[int]:
        return {u.department_id for u in self.units if u.department_id is not None}


@dataclass
class Leads:
    """Lead units named in some plans: on indicators, tasks and sections, and which task or section holds what."""

    indicators: dict[int, list[UnitName]] = field(default_factory=dict)
    tasks: dict[int, list[UnitName]] = field(default_factory=dict)
    task_numbers: dict[int, str] = field(default_factory=dict)
    sections: dict[int, list[UnitName]] = field(default_factory=dict)
    headings: dict[int, tuple[int | None, str]] = field(default_factory=dict)  # section → (parent, number + title)
    carried: dict[int, list[int]] = field(default_factory=dict)  # indicator → the tasks it measures
    names: dict[int, str] = field(default_factory=dict)  # every unit named as a lead, for the filter

    def for_indicator(self, indicator: Indicator | IndexedIndicator) -> Lead:
        own = self.indicators.get(indicator.pk)
        if own:
            return Lead(own)
        for task_id in [indicator.task_id, *self.carried.get(indicator.pk, [])]:
            if task_id is not None and self.tasks.get(task_id):
                return Lead(self.tasks[task_id], _("任务%(number)s") % {"number": self.task_numbers[task_id]})
        return self._section(indicator.section_id)

    def for_task(self, task: Task) -> Lead:
        own = self.tasks.get(task.pk)
        return Lead(own) if own else self._section(task.section_id)

    def _section(self, section_id: int | None) -> Lead:
        for _depth in range(_MAX_DEPTH):
            if section_id is None:
                break
            parent, heading = self.headings.get(section_id, (None, ""))
            if self.sections.get(section_id):
                return Lead(self.sections[section_id], heading)
            section_id = parent
        return Lead([])

    def choices(self) -> list[tuple[int, str]]:
        return sorted(self.names.items(), key=lambda item: item[1])


def read_leads(plan_ids: Iterable[int]) -> Leads:
    """The lead units the plans name on indicators, tasks and sections, with the sections' headings and which tasks
    the indicators measure — one query (a UNION of five reads of plain columns)."""
    ids = sorted(set(plan_ids))
    text = lambda v: Value(v, output_field=CharField())
    number = lambda v: Value(v, output_field=IntegerField())
    units = ("department_id", "printed_name", "department__name", "group__name", "order")
    parts = [
        IndicatorAssignment.objects.filter(indicator__plan_id__in=ids, role=Role.LEAD).values_list(
            text("i"), "indicator_id", *units, text("")
        ),
        TaskAssignment.objects.filter(task__plan_id__in=ids, role=Role.LEAD).values_list(
            text("t"), "task_id", *units, "task__number"
        ),
        SectionAssignment.objects.filter(section__plan_id__in=ids, role=Role.LEAD).values_list(
            text("s"), "section_id", *units, text("")
        ),
        Section.objects.filter(plan_id__in=ids).values_list(
            text("h"), "id", "parent_id", "number", "title", text(""), number(0), text("")
        ),
        Indicator.carried_by.through.objects.filter(indicator__plan_id__in=ids).values_list(
            text("c"), "indicator_id", "task_id", text(""), text(""), text(""), number(0), text("")
        ),
    ]
    first, *rest = [part.order_by() for part in parts]
    rows = sorted(first.union(*rest, all=True), key=lambda r: (r[0], r[1], r[6] or 0))
    leads = Leads()
    named: dict[str, dict[int, list[UnitName]]] = {"i": leads.indicators, "t": leads.tasks, "s": leads.sections}
    carried: dict[int, list[int]] = defaultdict(list)
    for kind, owner, ref, printed, name, group_name, _order, label in rows:
        if kind == "h":
            leads.headings[owner] = (ref, f"{printed}{name}")
        elif kind == "c":
            carried[owner].append(ref)
        else:
            named[kind].setdefault(owner, []).append(UnitName(ref, printed or name or group_name or ""))
            if ref is not None and name:
                leads.names[ref] = name
            if kind == "t":
                leads.task_numbers[owner] = label or ""
    leads.carried = {k: sorted(v) for k, v in carried.items()}
    return leads


def others(indicator_ids: Iterable[int]) -> dict[int, dict[str, list[UnitName]]]:
    """Responsible and cooperating units named on these indicators, by role (one query)."""
    found: dict[int, dict[str, list[UnitName]]] = defaultdict(lambda: defaultdict(list))
    rows = (
        IndicatorAssignment.objects.filter(
            indicator_id__in=sorted(set(indicator_ids)), role__in=[Role.RESPONSIBLE, Role.COOPERATING]
        )
        .order_by("indicator_id", "role", "order", "pk")
        .values_list("indicator_id", "role", "department_id", "printed_name", "department__name", "group__name")
    )
    for indicator_id, role, department_id, printed, name, group_name in rows:
        found[indicator_id][role].append(UnitName(department_id, printed or name or group_name or ""))
    return found
