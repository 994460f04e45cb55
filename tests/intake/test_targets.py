"""Quantitative targets from prose: value, range, unit, comparison, kind, year, milestones, due date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from intake.draft import parse_text
from intake.targets import Context, targets_in_sentence
from tests.intake.helpers import fixture_text


def read(sentence: str, start: int | None = 2021, end: int | None = 2025) -> list[tuple]:
    return [
        (t.value, t.value_max, t.unit, t.comparison, t.kind)
        for t in targets_in_sentence(sentence, Context(start, end), None)
    ]


D = Decimal


def test_values_ranges_and_units():
    assert read("新建院士工作站1到2个、博士后工作站3-5家，创新团队3至5支。") == [
        (D(1), D(2), "个", "range", "cumulative"),
        (D(3), D(5), "家", "range", "cumulative"),
        (D(3), D(5), "支", "range", "cumulative"),
    ]
    assert read("全市人才资源总量达到1.5万人，人才企业营收突破30亿元。") == [
        (D("1.5"), None, "万人", "gte", "level"),
        (D(30), None, "亿元", "gte", "level"),
    ]


def test_comparisons_from_the_words():
    assert [
        r[3]
        for r in read(
            "引进人才200名以上，培养骨干50名左右，流失率控制在5%以内，"
            "招录人员不少于30人，企业销售收入超过5亿元，培训费用不超过10万元，选派专家20名。"
        )
    ] == ["gte", "approx", "lte", "gte", "gt", "lte", "gte"]


def test_kinds_follow_how_plans_are_printed():
    kinds = {
        "每年引进高层次人才10名以上。": "annual",
        "人才总量年均增长8%以上。": "growth",
        "五年内累计引进博士500名。": "cumulative",
        "规划期内新增高技能人才2万人。": "cumulative",
        "高技能人才占技能劳动者比例达到35%。": "rate",
        "每万名劳动力中研发人员达到120人年。": "rate",
        "技师和高级技师占技能劳动者的比例达到2‰以上。": "rate",
        "到2025年，人才资源总量达到26.4万人。": "level",
        "到2025年，引进省级以上人才200名以上。": "cumulative",
    }
    for sentence, kind in kinds.items():
        assert [r[4] for r in read(sentence)] == [kind], sentence
    assert [r[4] for r in read("全年引进高层次人才50名左右。", 2014, 2014)] == ["annual"]


def test_not_targets():
    assert read("对引进的顶尖人才给予最高500万元资助，按不低于70%的比例用于奖励团队。") == []
    assert read("截至2020年底，全区人才资源总量达到23.2万人。") == []
    assert read("实施“311”领航计划和《2021-2025年人才规划》，遴选45岁以下人才，要求2年以上工作经历。") == []
    assert read("着力加强理论研究、新闻传播、文化事业和基层宣传文化人才4支队伍建设。") == []


def test_years_milestones_and_due_dates():
    found = targets_in_sentence("人才总量到2023年达到100万人，到2025年达到120万人。", Context(2021, 2025), None)
    assert len(found) == 1 and (found[0].value, found[0].year, found[0].milestones) == (D(120), 2025, [(2023, D(100))])
    draft = parse_text(fixture_text("targets.txt"))
    milestone = next(t for t in draft.targets if t.kind == "milestone")
    assert (milestone.name, milestone.due, milestone.task) == ("出台人才分类评价办法", dt.date(2024, 6, 30), "t2")
    plain = parse_text("某区2024年人才工作要点\n一、任务\n1. 10月底前全年引进人才50名。（牵头单位：区委组织部）")
    assert plain.tasks[0].due == dt.date(2024, 10, 31) and plain.targets[0].due == dt.date(2024, 10, 31)


def test_targets_link_to_their_task_and_headline_targets_to_the_plan():
    draft = parse_text(fixture_text("targets.txt"))
    by_name = {t.name: t for t in draft.targets}
    assert by_name["全市人才资源总量"].task is None and by_name["全市人才资源总量"].section == "1"
    assert by_name["新建院士工作站"].task == "t1"
    assert not any(t.value == D(95) for t in draft.targets)  # 截至…: a past figure inside a task
