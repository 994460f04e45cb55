"""The dashboards' row tags (`dashboard.templatetags.dashboard_rows`) print exactly what the template markup they
replaced printed: that markup is kept here, and both are rendered for the plan table (with per-unit rows, an
estimate, a formula and a collapsed list), a unit's items and the shortfall lists (tasks and indicators), in Chinese
and English, with names that need escaping."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation

from dashboard.selectors import common, department, overview
from indicators.evaluation import services as verdicts
from indicators.models import UnitTarget
from tests.worlds.dashboard import add_indicator, add_value

pytestmark = pytest.mark.django_db
D = Decimal
EVIL = "<b>\"x\"</b> & 'y'"

PLAN_LINE = """{% load i18n talent adding_up dashboard_cells %}{% translate "按单位" as by_unit %}{% blocktranslate asvar see_units with n=page.units_collapsed %}查看{{ n }}个单位的完成情况{% endblocktranslate %}{% with row=line.row ind=line.row.indicator ev=line.row.evaluation %}
<tr class="indicator-row status-row-{{ row.status }}">
  {% if line.group_rowspan %}<th scope="rowgroup" rowspan="{{ line.group_rowspan }}" class="group opt">{{ ind.group|default:"—" }}</th>{% endif %}
  <td class="opt">{{ ind.number }}</td>
  <td class="name"><a href="{% dash_url 'dashboard:indicator' ind.pk %}{{ choice.query }}">{{ ind.name }}</a>
    <div class="explain muted small">{% explain_verdict ev ind choice.period plan %}</div>
    {% rollup_flag ev ind %}{% split_note line.coverage ind %}{% components_note line.components ind %}
    {% if ind.formula %}<div class="muted small">{% translate "计算指标：由组成指标的填报数计算，不直接填报" %}</div>{% endif %}
    {% if ind.per_unit and page.units_collapsed %}<div class="small no-print"><a href="{% dash_url 'dashboard:indicator' ind.pk %}{{ choice.query }}#units">{{ see_units }}</a></div>{% endif %}</td>
  <td class="opt">{{ ind.unit }}</td>
  <td class="num opt">{{ ind.baseline|figure_cell:ind }}{% if ind.baseline_year %}<div class="muted small">{{ ind.baseline_year }}</div>{% endif %}</td>
  <td class="num">{% with judged=ev.target|default_if_none:ind.target %}{% if judged is None %}——{% else %}{% if ind.comparison == "lte" %}≤ {% elif ind.comparison == "approx" %}≈ {% endif %}{{ judged|target_cell:ind }}{% if ind.target_upper %}–{{ ind.target_upper|target_cell:ind }}{% endif %}{% endif %}{% endwith %}{% if ind.target_year %}<div class="muted small">{{ ind.target_year }}</div>{% endif %}</td>
  <td class="num">{% if not line.rolls_up and row.units or not line.rolls_up and ind.per_unit and page.units_collapsed %}<span class="muted">{{ by_unit }}</span>{% else %}{{ ev.actual|figure_cell:ind }}{% actual_period ev %} {% basis_marks row.basis row.unreviewed %}{% if row.estimate is not None %}<div class="muted small">{% translate "预计" %} {{ row.estimate|figure_cell:ind }}</div>{% endif %}{% endif %}</td>
  <td class="num opt">{{ ev.completion|percent }}</td>
  <td class="num opt">{% progress_cell ev %}</td>
  <td class="num gap opt">{% gap_cell ev ind %}</td>
  <td class="col-status">{% verdict_badge ev %}</td>
  <td class="chart-cell opt">{{ line.chart }}</td>
</tr>
{% for u in line.units %}
<tr class="unit-row">
  <td class="opt"></td>
  <td class="name">└ <a href="{% dash_url 'dashboard:department' u.unit.pk %}{{ choice.query }}">{{ u.unit.name }}</a>{% if u.unit.category %} <span class="muted small">{{ u.unit.category }}</span>{% endif %}
    <div class="explain muted small">{% explain_verdict u.evaluation ind choice.period plan %}</div></td>
  <td class="opt">{{ ind.unit }}</td>
  <td class="num opt">{{ u.baseline|figure_cell:ind }}</td>
  <td class="num">{% with t=u.evaluation.target|default_if_none:u.target %}{% if t is None %}——{% else %}{{ t|target_cell:ind }}{% endif %}{% endwith %}</td>
  <td class="num">{{ u.evaluation.actual|figure_cell:ind }}{% actual_period u.evaluation %} {% basis_marks u.basis u.unreviewed %}</td>
  <td class="num opt">{{ u.evaluation.completion|percent }}</td>
  <td class="num opt">{% progress_cell u.evaluation %}</td>
  <td class="num gap opt">{% gap_cell u.evaluation ind %}</td>
  <td class="col-status">{% verdict_badge u.evaluation %}</td>
  <td class="chart-cell opt">{{ u.chart }}</td>
</tr>
{% endfor %}
{% endwith %}"""  # noqa: E501
PLAN_LINE_TAG = """{% load i18n dashboard_rows %}{% translate "按单位" as by_unit %}{% blocktranslate asvar see_units with n=page.units_collapsed %}查看{{ n }}个单位的完成情况{% endblocktranslate %}
{% plan_line line page choice.query choice.period plan by_unit see_units %}
"""  # noqa: E501
UNIT_ITEM = """{% load i18n talent dashboard_cells %}{% with ind=item.row.indicator %}
    <tr><td><a href="{% dash_url 'dashboard:plan' item.plan.code %}{{ choice.query }}">{{ item.plan.title }}</a></td>
      <td><a href="{% dash_url 'dashboard:indicator' ind.pk %}{{ choice.query }}">{{ ind.number }} {{ ind.name }}</a></td>
      <td>{{ item.roles|join:"、" }}</td>
      <td class="num">{{ item.evaluation.actual|figure:ind }}{% actual_period item.evaluation %}</td>
      <td class="num">{{ item.evaluation.target|default:ind.target|target_text:ind }}</td>
      <td>{% verdict_badge item.evaluation %}</td>
      <td class="explain small">{% explain_verdict item.evaluation ind choice.period %}</td></tr>
    {% endwith %}"""  # noqa: E501
UNIT_ITEM_TAG = """{% load dashboard_rows %}
    {% unit_item_row item choice.query choice.period %}
    """
SHORTFALL = """{% load i18n talent dashboard_cells %}
{% if s.task %}
<tr class="shortfall-task">
  <td>{% task_badge s.task.badge %}</td>
  <td>{% if show_plan %}<div class="muted small"><a href="{% dash_url 'dashboard:plan' s.plan.code %}{{ query }}">{{ s.plan.title }}</a></div>{% endif %}{% translate "任务" %} {{ s.task.task.number }} {{ s.task.task.text|truncatechars:80 }}</td>
  <td class="num">{% blocktranslate with d=s.task.task.due_date|date:"Y-m-d" %}时限 {{ d }}{% endblocktranslate %}</td>
  <td class="num">—</td><td class="num">—</td><td class="num">—</td>
  <td>{% unit_links s.lead query s.task.task.lead_inferred %}{% lead_source s %}</td>
  <td>{% other_units s query %}</td>
  <td>{% if s.task.latest %}{% blocktranslate with st=s.task.latest.get_progress_status_display p=s.task.latest.period.code %}已过完成时限；最新进展（{{ p }}）：{{ st }}。{% endblocktranslate %}{% else %}{% translate "已过完成时限，尚未报送进展。" %}{% endif %}</td>
</tr>
{% else %}
<tr class="shortfall-indicator">
  <td>{% verdict_badge s.evaluation %}</td>
  <td>{% if show_plan %}<div class="muted small"><a href="{% dash_url 'dashboard:plan' s.plan.code %}{{ query }}">{{ s.plan.title }}</a></div>{% endif %}<a href="{% dash_url 'dashboard:indicator' s.indicator.pk %}{{ query }}{% if s.unit %}{% if query %}&amp;{% else %}?{% endif %}unit={{ s.unit.pk }}{% endif %}">{{ s.indicator.number }} {{ s.indicator.name }}</a>{% if s.unit %} · <a href="{% dash_url 'dashboard:department' s.unit.pk %}{{ query }}">{{ s.unit.name }}</a>{% endif %}</td>
  <td class="num">{{ s.target|target_text:s.indicator }}</td>
  <td class="num">{{ s.evaluation.actual|figure:s.indicator }}{% actual_period s.evaluation %}</td>
  <td class="num">{% progress_cell s.evaluation %}</td>
  <td class="num gap">{{ s.evaluation.gap_to_expected|signed_gap:s.indicator }}</td>
  <td>{% unit_links s.lead query %}{% lead_source s %}</td>
  <td>{% other_units s query %}</td>
  <td class="explain">{% explain_verdict s.evaluation s.indicator viewed %}</td>
</tr>
{% endif %}
"""  # noqa: E501
SHORTFALL_TAG = """{% load dashboard_rows %}

{% shortfall_row s query viewed show_plan %}

"""


def _same(old: str, new: str, **context: object) -> str:
    django = engines["django"]
    printed = django.from_string(old).render(context)
    assert django.from_string(new).render(context) == printed
    return printed


@pytest.fixture
def evil_world(world):
    """The dashboard world with names that need escaping, a per-unit indicator with two assessed units (one with
    a target of its own), an estimate beside a statistic and a ratio formula."""
    plan, hr, edu = world["plan"], world["hr"], world["edu"]
    plan.title = EVIL
    plan.save()
    hr.name, hr.category = EVIL, EVIL
    hr.save()
    world["overdue"].text = EVIL * 10
    world["overdue"].save()
    add_value(world["share"], world["p2023"], hr, "25.5", basis="estimate")
    plan.assessed_units.set([hr, edu])
    per_unit = add_indicator(
        plan, EVIL, order=4, per_unit=True, unit="人", decimals=0, baseline=D(10), baseline_year=2020, target=D(20)
    )
    UnitTarget.objects.create(indicator=per_unit, department=edu, baseline=D(0), target=D(50))
    add_value(per_unit, world["p2023"], hr, "16")
    add_value(per_unit, world["p2023"], edu, "10")
    add_indicator(plan, "比率", order=5, formula="ratio", numerator=world["level"], denominator=world["total"])
    verdicts.recompute([plan.pk])
    return world


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("collapsed", [0, 2])
def test_plan_lines(evil_world, language, collapsed):
    plan = evil_world["plan"]
    choice = common.choose_period("2023Y")
    page = common.plan_page(plan, choice.as_of, choice.calendar)
    page.units_collapsed = collapsed
    with translation.override(language):
        printed = [
            _same(PLAN_LINE, PLAN_LINE_TAG, line=line, page=page, choice=choice, plan=plan) for line in page.lines
        ]
    assert any("unit-row" in p for p in printed) and any("&lt;b&gt;" in p for p in printed)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_unit_items_and_shortfalls(evil_world, language):
    choice = common.choose_period("2023Y")
    items = 0
    with translation.override(language):
        for unit in (evil_world["org"], evil_world["hr"], evil_world["edu"]):
            for item in department.department_page(unit, choice).indicators:
                items += 1
                _same(UNIT_ITEM, UNIT_ITEM_TAG, item=item, choice=choice)
        assert items > 3
        rows = overview.overview(choice.as_of, calendar=choice.calendar).shortfalls.rows
        assert any(s.task for s in rows) and any(not s.task for s in rows)
        for s in rows:
            for show_plan in (True, False):
                for query in ("", "?period=2023Y"):
                    _same(SHORTFALL, SHORTFALL_TAG, s=s, show_plan=show_plan, query=query, viewed=choice.period)
