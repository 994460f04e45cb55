"""Section trees in every numbering style and task units in every printed form (hand-made plans)."""

from __future__ import annotations

from intake.draft import parse_text, to_contract
from tests.intake.helpers import fixture_text


def tasks_by_number(name: str) -> dict[str, dict]:
    return {t["number"]: t for t in to_contract(parse_text(fixture_text(name)))["tasks"]}


def test_numbering_styles_nest_as_a_reader_reads_them():
    contract = to_contract(parse_text(fixture_text("numbering_styles.txt")))
    tree = contract["sections"]
    assert [(s["number"], s["title"]) for s in tree] == [
        ("一、", "引才聚才"),
        ("二、", "育才用才"),
        ("三、", "其他事项"),
    ]
    first = tree[0]["children"]
    assert [(s["number"], s["title"]) for s in first] == [("（一）", "高层次人才引进"), ("（二）", "青年人才集聚")]
    assert [(s["number"], s["title"]) for s in first[0]["children"]] == [("1.", "人才引进工程"), ("2.", "平台建设工程")]
    assert [(s["number"], s["title"]) for s in first[0]["children"][0]["children"]] == [("（2）", "完善服务体系")]
    tasks = [(t["number"], t["section"]) for t in contract["tasks"]]
    # "1." is a section under 一、（一） and a task under 一、（二） and 二、; ① items are tasks
    assert tasks == [
        ("（1）", "1.1.1"),
        ("①", "1.1.1.1"),
        ("②", "1.1.1.1"),
        ("（1）", "1.1.2"),
        ("1.", "1.2"),
        ("1.", "2"),
        ("2.", "2"),
    ]
    assert contract["tasks"][0]["text"] == "实施“英才计划”，全年引进高层次人才20名以上。"


def test_closing_clauses_are_not_tasks():
    contract = to_contract(parse_text(fixture_text("numbering_styles.txt")))
    assert not any("负责解释" in t["text"] or "施行" in t["text"] for t in contract["tasks"])
    articles = to_contract(parse_text(fixture_text("articles.txt")))
    assert [s["number"] for s in articles["sections"]] == ["第一章", "第二章", "第三章"]
    assert [t["number"] for t in articles["tasks"]] == ["第三条", "第四条"]  # 总则 / 附则 articles are not tasks


def test_labelled_lists_in_every_separator_and_bracket():
    tasks = tasks_by_number("unit_forms.txt")
    assert (tasks["1."]["lead"], tasks["1."]["responsible"]) == (["县委组织部"], ["县人社局", "县财政局"])
    assert (tasks["2."]["lead"], tasks["2."]["responsible"]) == (["县委组织部", "县人社局"], ["县财政局", "县教育局"])
    assert (tasks["3."]["lead"], tasks["3."]["responsible"]) == (["县委组织部", "县人社局"], ["县财政局", "县科技局"])
    assert tasks["1."]["raw_units"] == "（牵头单位：县委组织部。责任单位：县人社局、县财政局）"
    assert tasks["1."]["text"] == "标签用全角冒号与顿号。"
    assert (tasks["14."]["lead"], tasks["14."]["cooperating"]) == (["县文广旅体局"], ["县融媒体中心"])
    assert (tasks["13."]["lead"], tasks["13."]["cooperating"]) == (["县卫健委"], ["县医保局"])
    assert tasks["13."]["text"] == "单位列在破折号之后。"
    assert (tasks["15."]["lead"], tasks["15."]["cooperating"]) == (["县委宣传部"], ["县委网信办"])
    assert (tasks["11."]["lead"], tasks["11."]["responsible"]) == (["县科技局"], ["县经信局"])
    assert (tasks["12."]["lead"], tasks["12."]["cooperating"]) == (["县人社局"], ["县财政局", "县教育局"])
    assert (tasks["17."]["lead"], tasks["17."]["responsible"], tasks["17."]["cooperating"]) == (
        ["县委组织部"],
        ["县人社局"],
        ["县财政局"],
    )


def test_collectives_aliases_and_trailing_words():
    tasks = tasks_by_number("unit_forms.txt")
    assert tasks["4."]["responsible"] == [
        "各区、县（市）",
        "各镇（区）",
        "各有关单位",
        "各成员单位",
        "县人才工作领导小组各成员单位",
    ]
    assert (tasks["5."]["lead"], tasks["5."]["responsible"]) == (["县社科联〔县社科院〕"], ["县委党校〔行政学院〕"])
    assert tasks["6."]["responsible"] == ["县人社局", "县财政局"] and "以“等”结尾" in tasks["6."]["warnings"][0]
    assert (tasks["7."]["lead"], tasks["7."]["responsible"]) == ([], ["各有关单位"])
    assert (tasks["8."]["lead"], tasks["8."]["responsible"], tasks["8."]["cooperating"]) == (["县教育局"], [], [])


def test_misprinted_first_label_is_kept_with_a_warning():
    task = tasks_by_number("unit_forms.txt")["9."]
    assert (task["lead"], task["responsible"]) == ([], ["县人社局", "县委组织部", "县教育局"])
    assert "疑为“牵头单位”之误" in task["warnings"][0]


def test_cooperating_labels_are_kept_as_printed():
    draft = parse_text(fixture_text("unit_forms.txt"))
    task = next(t for t in draft.tasks if t.number == "10.")
    assert [(a.role, a.name, a.label) for a in task.assignments] == [
        ("lead", "县人社局", "牵头单位"),
        ("cooperating", "县总工会", "协办单位"),
        ("cooperating", "团县委", "参与单位"),
    ]
    unlabelled = next(t for t in draft.tasks if t.number == "16.")
    assert [(a.role, a.name) for a in unlabelled.assignments] == [
        ("lead", "县委组织部"),
        ("responsible", "县人社局"),
        ("cooperating", "县人才工作领导小组协办单位"),
    ]
    assert unlabelled.lead_inferred
    assert any("推定" in w for w in draft.warnings)


def test_roles_after_names_inside_a_labelled_list_and_comma_between_roles():
    from intake.units import find_unit_tail

    found = find_unit_tail("加强宣传。（牵头单位：市委组织部，配合单位：市人社局、各区、县（市）人民政府）")
    assert found is not None
    _start, units = found
    assert [(a.role, a.name) for a in units.assignments] == [
        ("lead", "市委组织部"),
        ("cooperating", "市人社局"),
        ("cooperating", "各区、县（市）人民政府"),
    ]
    found = find_unit_tail("加强宣传。（责任单位：市人社局牵头，市财政局配合）")
    assert found is not None
    _start, units = found
    assert [(a.role, a.name) for a in units.assignments] == [("lead", "市人社局"), ("cooperating", "市财政局")]
