"""The my reporting page at scale: a summary per plan, the items of one plan a page at a time, a status filter.

Only the items shown are evaluated, loaded and submitted; links, saves and 报送本页 keep the plan, filter and page;
the number of queries does not depend on how many items the unit carries.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator, IndicatorAssignment, IndicatorValue, ReviewStatus, TaskProgress
from plans.models import Plan, Role, Task, TaskAssignment
from reporting.forms import ProgressForm, ValueForm
from reporting.selectors import entry_items
from reporting.selectors.entry import PAGE_SIZE
from reporting.views.widgets import _CARD_RENDERER
from tests.worlds.reporting import World, build_world

pytestmark = pytest.mark.django_db

SAVE = reverse("reporting:save_value")
SUBMIT_PAGE = reverse("reporting:submit_all")
CARD = re.compile(r'<article class="card item-card status-[a-z]+" id="([vt]\d+)"')


def _cards(content: str) -> list[str]:
    """Anchors of the entry cards on the page, in page order."""
    return CARD.findall(content)


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _second_plan(world: World) -> tuple[Plan, Indicator, Task]:
    """Another plan of the district in which 甲局 enters one figure and leads one task; it ends later, so it is
    listed first (plans run newest first)."""
    plan = Plan.objects.create(
        code="test-plan-later",
        title="测试区人才工作三年行动",
        issuer=world.root,
        start_year=2024,
        end_year=2026,
        kind=Plan.Kind.THREE_YEAR,
    )
    indicator = Indicator.objects.create(
        plan=plan, name="新增博士后", unit="人", order=1, number="1", kind="level", decimals=0, target=Decimal("50")
    )
    IndicatorAssignment.objects.create(indicator=indicator, role=Role.LEAD, department=world.a)
    task = Task.objects.create(plan=plan, number="1.", text="建设博士后创新实践基地", order=1)
    TaskAssignment.objects.create(task=task, role=Role.LEAD, department=world.a)
    return plan, indicator, task


def _value(world: World, indicator: Indicator, status: str, value: str = "1", **kw: object) -> IndicatorValue:
    return IndicatorValue.objects.create(
        indicator=indicator, period=world.q2, department=world.a, value=Decimal(value), status=status, **kw
    )


# --- summary and plan choice ----------------------------------------------------------------------------------


def test_summary_counts_every_plan_and_lists_one(world: World) -> None:
    later, doctors, base = _second_plan(world)
    _value(world, world.total, ReviewStatus.SUBMITTED)
    _value(world, world.permille, ReviewStatus.DRAFT)
    TaskProgress.objects.create(task=base, period=world.q2, department=world.a, progress="选址", status="approved")
    client = world.client(world.rep_a)
    content = client.get(world.my_url()).content.decode()

    # Both plans in the summary; the later one (first in order) has missing items, so it is the one listed.
    summary = content[content.index('class="grid plan-summary"') : content.index("</table>")]
    rows = re.findall(r"<tr[^>]*>\s*<td>(.*?)</tr>", summary, re.S)
    assert len(rows) == 2 and "测试区人才工作三年行动" in rows[0] and "测试区人才发展规划" in rows[1]
    numbers = [re.findall(r'<td class="num[^"]*">(\d+)</td>', row) for row in rows]
    # values: returned, missing, draft, submitted, approved; tasks: the same; read-only
    assert numbers[0] == ["0", "1", "0", "0", "0", "0", "0", "0", "0", "1", "0"]
    assert numbers[1] == ["0", "1", "1", "1", "0", "0", "1", "0", "0", "0", "1"]
    assert "plan=test-plan&amp;" in rows[1] or 'plan=test-plan"' in rows[1]
    assert _cards(content) == [f"v{doctors.pk}", f"t{base.pk}"]
    assert "人才资源总量" not in content[content.index('id="items"') :]

    # Totals over all plans, not the page.
    counts = content[content.index('<ul class="counts">') : content.index("</ul>")]
    assert re.findall(r"<strong>(\d+)</strong>", counts) == ["0", "3", "1", "1", "1"]

    # ?plan= lists the other plan: missing first, then draft, submitted (figures, then tasks); read-only last.
    content = client.get(world.my_url() + "&plan=test-plan").content.decode()
    assert _cards(content) == [
        f"v{world.recruits.pk}",
        f"v{world.permille.pk}",
        f"v{world.total.pk}",
        f"t{world.task_a.pk}",
    ]
    assert f'id="v{world.share.pk}"' in content


def test_default_plan_is_the_one_with_returned_items(world: World) -> None:
    _second_plan(world)
    _value(world, world.total, ReviewStatus.RETURNED, return_reason="口径不对")
    content = world.client(world.rep_a).get(world.my_url()).content.decode()
    assert _cards(content)[0] == f"v{world.total.pk}" and "口径不对" in content
    assert "有 1 项被组织部退回" in content
    # An unknown plan code falls back to the default rather than failing.
    content = world.client(world.rep_a).get(world.my_url() + "&plan=no-such-plan").content.decode()
    assert _cards(content)[0] == f"v{world.total.pk}"


def test_status_filter(world: World) -> None:
    _value(world, world.total, ReviewStatus.RETURNED, return_reason="口径不对")
    _value(world, world.permille, ReviewStatus.DRAFT)
    client = world.client(world.rep_a)
    assert _cards(client.get(world.my_url() + "&status=returned").content.decode()) == [f"v{world.total.pk}"]
    missing = client.get(world.my_url() + "&status=missing").content.decode()
    assert _cards(missing) == [f"v{world.recruits.pk}", f"t{world.task_a.pk}"]
    assert f'id="v{world.share.pk}"' not in missing  # read-only rows have no review status of this unit
    assert "该规划没有符合筛选条件的填报项。" in client.get(world.my_url() + "&status=approved").content.decode()
    assert len(_cards(client.get(world.my_url() + "&status=bogus").content.decode())) == 4


# --- pagination -----------------------------------------------------------------------------------------------


@pytest.fixture
def big() -> World:
    """甲局 carries PAGE_SIZE + 4 entry items (PAGE_SIZE + 3 figures and a task) and one read-only figure."""
    return build_world(extra_indicators=2 * PAGE_SIZE)


def test_pages_of_items(big: World) -> None:
    client = big.client(big.rep_a)
    first = client.get(big.my_url()).content.decode()
    assert len(_cards(first)) == PAGE_SIZE
    assert f"第 1–{PAGE_SIZE} 项，共 {PAGE_SIZE + 5} 项" in first
    links = re.findall(r'<a href="([^"]+)#items" rel="next">', first)
    assert links and _query(links[0].replace("&amp;", "&")) == {
        "unit": [str(big.a.pk)],
        "period": ["2025Q2"],
        "plan": ["test-plan"],
        "page": ["2"],
    }
    second = client.get(big.my_url() + "&plan=test-plan&page=2").content.decode()
    cards = _cards(second)
    assert len(cards) == 4 and cards[-1] == f"t{big.task_a.pk}"
    assert not set(cards) & set(_cards(first))
    assert f'id="v{big.share.pk}"' in second and f'id="v{big.share.pk}"' not in first
    # Out of range: the nearest page; not a number: the first.
    assert _cards(client.get(big.my_url() + "&page=99").content.decode()) == cards
    assert _cards(client.get(big.my_url() + "&page=x").content.decode()) == _cards(first)


def test_only_the_items_shown_are_evaluated(big: World, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[list[int]] = []
    real = entry_items.plan_results

    def spy(*args: Any, **kwargs: Any) -> Any:
        asked.append(list(kwargs["indicator_ids"]))
        assert kwargs["units"].unit_id == big.a.pk
        return real(*args, **kwargs)

    monkeypatch.setattr(entry_items, "plan_results", spy)
    content = big.client(big.rep_a).get(big.my_url()).content.decode()
    assert len(asked) == 1 and sorted(asked[0]) == sorted(int(k[1:]) for k in _cards(content))


def test_queries_do_not_grow_with_items() -> None:
    def count(world: World, suffix: str) -> int:
        client = world.client(world.rep_a)
        client.get(world.my_url() + suffix)  # warm caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(world.my_url() + suffix).status_code == 200
        return len(ctx.captured_queries)

    small = build_world()
    # 甲局: 3 + 3 × PAGE_SIZE figures and 1 + 2 × PAGE_SIZE tasks, all drafts; the fifth page holds both kinds.
    large = build_world(extra_indicators=6 * PAGE_SIZE, extra_tasks=2 * PAGE_SIZE, tag="2")
    for world in (small, large):
        for indicator in world.plan.indicators.all():
            IndicatorValue.objects.create(
                indicator=indicator, period=world.q2, department=world.a, value=1, status="draft"
            )
        for task in world.plan.tasks.all():
            TaskProgress.objects.create(task=task, period=world.q2, department=world.a, progress="x", status="draft")
    mixed = count(large, "&page=4")
    assert count(small, "") == mixed == count(large, "&status=draft&page=4")
    # A page with one kind of item only skips the other kind's queries; it never needs more.
    assert count(large, "") <= mixed and count(large, "&page=9") <= mixed


# --- posting from a page --------------------------------------------------------------------------------------


def test_submit_page_submits_only_that_page_and_returns_to_it(big: World) -> None:
    for indicator in Indicator.objects.filter(
        plan=big.plan, assignments__role=Role.LEAD, assignments__department=big.a
    ):
        _value(big, indicator, ReviewStatus.DRAFT)
    TaskProgress.objects.create(task=big.task_a, period=big.q2, department=big.a, progress="推进中", status="draft")
    client = big.client(big.rep_a)
    url = big.my_url() + "&plan=test-plan&status=draft&page=2"
    page = client.get(url).content.decode()
    form = page[page.index(f'action="{SUBMIT_PAGE}"') :]
    form = form[: form.index("</form>")]
    posted = QueryDict(mutable=True)
    for name, value in re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', form):
        posted.appendlist(name, value)
    shown = _cards(page)
    assert posted.getlist("items") == shown and len(shown) == 4
    assert (posted["view_plan"], posted["view_status"], posted["view_page"]) == ("test-plan", "draft", "2")

    response = client.post(
        SUBMIT_PAGE, {**dict(posted.lists()), "confirmed": ["1"]}
    )  # every `items` value, not just the last
    assert response.status_code == 302
    assert _query(response["Location"]) == {
        "unit": [str(big.a.pk)],
        "period": ["2025Q2"],
        "plan": ["test-plan"],
        "status": ["draft"],
        "page": ["2"],
    }
    submitted = set(
        IndicatorValue.objects.filter(period=big.q2, status="submitted").values_list("indicator", flat=True)
    )
    assert submitted == {int(k[1:]) for k in shown if k[0] == "v"}
    assert TaskProgress.objects.get().status == ReviewStatus.SUBMITTED
    assert IndicatorValue.objects.filter(period=big.q2, status="draft").count() == PAGE_SIZE
    assert "已报送 4 项，等待组织部审核" in client.get(response["Location"]).content.decode()


def test_submit_page_ignores_items_the_unit_does_not_enter(world: World) -> None:
    share = IndicatorValue.objects.create(
        indicator=world.share, period=world.q2, department=world.b, value=30, status="draft"
    )
    mine = _value(world, world.total, ReviewStatus.DRAFT)
    response = world.client(world.rep_a).post(
        SUBMIT_PAGE,
        {
            "department": world.a.pk,
            "period": world.q2.pk,
            "items": [f"v{world.share.pk}", f"v{world.total.pk}", f"t{world.task_b.pk}", "v999999", "garbage"],
            "confirmed": "1",
        },
    )
    assert response.status_code == 302
    share.refresh_from_db()
    mine.refresh_from_db()
    assert (share.status, mine.status) == (ReviewStatus.DRAFT, ReviewStatus.SUBMITTED)


def test_save_returns_to_the_plan_filter_and_page(big: World) -> None:
    last = Indicator.objects.filter(plan=big.plan, name__startswith="附加指标").order_by("-order").first()
    assert last is not None
    response = big.client(big.rep_a).post(
        SAVE, big.value_post(indicator=last, value="3", view_plan="test-plan", view_status="missing", view_page="2")
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#v{last.pk}")
    assert _query(response["Location"]) == {
        "unit": [str(big.a.pk)],
        "period": ["2025Q2"],
        "plan": ["test-plan"],
        "status": ["missing"],
        "page": ["2"],
    }
    # Without the page's parameters (an old form) the answer opens wherever the item now is.
    response = big.client(big.rep_a).post(SAVE, big.value_post(indicator=last, value="4", version=1))
    assert _query(response["Location"])["item"] == [f"v{last.pk}"]
    content = big.client(big.rep_a).get(response["Location"]).content.decode()
    assert f"v{last.pk}" in _cards(content)


def test_form_with_errors_is_shown_on_the_page_that_holds_it(big: World) -> None:
    last = Indicator.objects.filter(plan=big.plan, name__startswith="附加指标").order_by("-order").first()
    assert last is not None
    response = big.client(big.rep_a).post(SAVE, big.value_post(indicator=last, value="abc", view_page="1"))
    content = response.content.decode()
    assert response.status_code == 200 and f"v{last.pk}" in _cards(content)
    card = content[content.index(f'id="v{last.pk}"') :]
    assert "“abc”不是有效数字，请填写数值（单位：个）" in card[: card.index("</article>")]


def test_history_links_back_to_the_items_page(big: World) -> None:
    last = Indicator.objects.filter(plan=big.plan, name__startswith="附加指标").order_by("-order").first()
    assert last is not None
    value = _value(big, last, ReviewStatus.DRAFT)
    client = big.client(big.rep_a)
    history = client.get(reverse("reporting:value", args=[value.pk])).content.decode()
    back = re.search(rf'href="(/report/\?[^"]*item=v{last.pk}[^"]*)"', history)
    assert back
    assert f"v{last.pk}" in _cards(client.get(back.group(1).replace("&amp;", "&")).content.decode())


def test_htmx_card_keeps_the_page_it_came_from(big: World) -> None:
    response = big.client(big.rep_a).post(
        SAVE, big.value_post(value="26.5", view_plan="test-plan", view_page="2", view_status=""), HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert content.lstrip().startswith("<article") and "已保存为草稿，尚未报送。" in content
    assert 'name="view_page" value="2"' in content and 'name="view_plan" value="test-plan"' in content


# --- the entry forms' fast widget rendering -------------------------------------------------------------------


@pytest.mark.parametrize("bound", [False, True], ids=["fresh", "posted-with-errors"])
def test_card_widgets_render_exactly_like_django(world: World, bound: bool) -> None:
    evil = "<b>\"x\"</b> & 'y'"
    if bound:
        value_data = {
            "indicator": world.total.pk,
            "department": "x",
            "period": "",
            "value": evil,
            "basis": "nope",
            "note": evil,
            "version": "-1",
            "loaded_basis": "official",
            "other_version": "",
        }
        forms = [
            (
                ValueForm(value_data, indicator=world.total, auto_id="v1_%s"),
                ValueForm(value_data, indicator=world.total, auto_id="v1_%s", renderer=_CARD_RENDERER),
            ),
            (
                ProgressForm({"progress_status": "?", "progress": evil, "task": "", "version": "a"}, auto_id="t1_%s"),
                ProgressForm(
                    {"progress_status": "?", "progress": evil, "task": "", "version": "a"},
                    auto_id="t1_%s",
                    renderer=_CARD_RENDERER,
                ),
            ),
        ]
        for plain, fast in forms:
            plain.is_valid()
            fast.is_valid()
    else:
        value = _value(world, world.total, ReviewStatus.DRAFT, note=evil)
        initial = ValueForm.initial_for(world.total.pk, world.a.pk, world.q2.pk, value, None)
        row = TaskProgress(progress=evil, problems="", next_steps="", version=3)
        progress = ProgressForm.initial_for(world.task_a.pk, world.a.pk, world.q2.pk, row)
        forms = [
            (
                ValueForm(initial=initial, indicator=world.total, auto_id="v1_%s"),
                ValueForm(initial=initial, indicator=world.total, auto_id="v1_%s", renderer=_CARD_RENDERER),
            ),
            (
                ProgressForm(initial=progress, auto_id="t1_%s"),
                ProgressForm(initial=progress, auto_id="t1_%s", renderer=_CARD_RENDERER),
            ),
        ]
    for plain, fast in forms:
        for name in plain.fields:
            assert str(fast[name]) == str(plain[name]), name
