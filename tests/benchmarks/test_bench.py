"""Smoke test of the benchmark tooling: tiny scale data, one bench run, the JSON it writes, and --clear."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from benchmarks import allpages, loadhttp, scale
from indicators.models import IndicatorValue
from plans.models import Department, Plan

pytestmark = pytest.mark.django_db(transaction=False)

TINY = ["--units", "2", "--plans", "2", "--indicators", "6", "--years", "2"]
KEYS = {"name", "median_ms", "p95_ms", "queries", "peak_mb", "floor_ms", "ratio"}


def test_generate_bench_and_clear(tmp_path, monkeypatch):
    # The import path, not its size, is what is smoked here.
    monkeypatch.setattr("benchmarks.import_bench.IMPORT_SIZE", 50)
    monkeypatch.setattr("benchmarks.runner.ENGINE_CASES", 50)
    keep = Department.objects.create(name="真实单位", kind=Department.Kind.GOVERNMENT)

    call_command("generate_scale_data", *TINY, stdout=StringIO())
    shape = scale.Shape(units=2, plans=2, indicators=6, years=2)
    bench_set = scale.find(shape)
    assert bench_set is not None
    root = bench_set.root
    assert root.is_demo and root.name.startswith("压测")
    assert all(d.is_demo and d.name.startswith("压测") for d in Department.objects.filter(parent=root))
    assert all(p.title.startswith("压测") for p in bench_set.plans)
    values = IndicatorValue.objects.filter(department__parent=root)
    assert values.exists() and not values.filter(is_demo=False).exists()
    assert IndicatorValue.history.filter(department_id__in=[c.pk for c in bench_set.counties]).exists()
    statuses = set(values.values_list("status", flat=True))
    assert {"approved", "submitted"} <= statuses  # returned items are ~1 % of the closed quarter: not in tiny sets

    out = tmp_path / "bench.json"
    call_command("bench", *TINY, "--repeat", "1", "--json", str(out), stdout=StringIO())
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"preset", "database", "results"} <= set(data)
    names = {row["name"] for row in data["results"]}
    assert {
        "overview",
        "plan",
        "indicator",
        "department",
        "reporting",
        "review_queue",
        "export",
        "import_preview",
        "import_apply",
        "engine",
        "overview_cached",
        "plan_cached",
        "department_cached",
        "api_verdicts",
    } <= names
    for row in data["results"]:
        assert set(row) >= KEYS, row
        assert row.get("error") in (None, "not available", allpages.SKIPPED_ERROR), row
    pages = {row["name"]: row for row in data["results"] if row["name"].startswith("page:")}
    assert {f"page:{name}" for name, _ in allpages.url_names()} == set(pages)  # every page has its row
    overview = pages["page:dashboard:overview"]
    assert (
        overview["cold_ms"] > 0
        and overview["queries"] > 0
        and overview["budget"] == {"cold_ms": 1000, "median_ms": 150, "bytes": 1_000_000}
    )
    assert pages["page:reporting:save_value"]["note"].startswith("POST only")
    figures = pages["page:admin:indicators_indicatorvalue_changelist"]
    assert figures.get("error") is None and figures["queries"] > 2  # the list itself, not a redirect to the login
    # The import ran inside a rolled-back transaction: nothing was left behind.
    assert IndicatorValue.objects.filter(department__parent=root).count() == values.count()

    call_command("generate_scale_data", "--clear", stdout=StringIO())
    assert not Department.objects.filter(name__startswith="压测").exists()
    assert not Plan.objects.filter(code__startswith="bench-").exists()
    assert Department.objects.filter(pk=keep.pk).exists()


def test_loadtest_form_parser_finds_value_forms():
    html = """<form method="post" action="/i18n/setlang/"><input name="language" value="zh-hans"></form>
    <form method="post" action="/report/value/save/"><input type="hidden" name="csrfmiddlewaretoken" value="t">
    <input type="hidden" name="indicator" value="7"><input type="text" name="value" value="">
    <select name="basis"><option value="estimate">预计</option><option value="official" selected>统计</option></select>
    <textarea name="note">x</textarea><button type="submit" name="submit">报送</button></form>"""
    forms = loadhttp.parse_forms(html)
    assert [f.action for f in forms] == ["/i18n/setlang/", "/report/value/save/"]
    fields = dict(forms[1].fields)
    assert fields == {"csrfmiddlewaretoken": "t", "indicator": "7", "value": "", "basis": "official", "note": "x"}
    assert forms[1].text_names == ["value"]


def test_loadtest_form_parser_reads_textareas_as_a_browser_does():
    """One newline right after <textarea> is not content (Django writes one there): an empty note is empty."""
    html = """<form method="post" action="/s/"><textarea name="a">\n</textarea><textarea name="b">\r\n说明\n</textarea>
    <textarea name="c">\n\n两行</textarea></form>"""
    assert dict(loadhttp.parse_forms(html)[0].fields) == {"a": "", "b": "说明\n", "c": "\n两行"}


def test_every_page_is_benchmarked_or_skipped_with_a_reason():
    """A new URL with parameters needs a sample object in benchmarks/allpages.py (or a reason it is not a page)."""
    unplanned = [name for name, takes in allpages.url_names() if takes and allpages.plan(name, takes) is not None]
    unplanned = [n for n in unplanned if allpages.plan(n, True) == allpages.plan("no-such-page", True)]
    assert unplanned == []
    measured = [name for name, takes in allpages.url_names() if allpages.plan(name, takes) is None]
    assert {"dashboard:overview", "reporting:overdue", "reporting:review", "admin:index"} <= set(measured)
