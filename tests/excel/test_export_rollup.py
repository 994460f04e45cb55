"""The workbook shows what the pages show of a roll-up: the parent's own figure beside its towns' sum, flagged."""

from __future__ import annotations

import io

from excel.export import SHEET_INDICATORS, export_assessment
from excel.report_data import plans_for
from tests.worlds.dashboard import add_value
from tests.worlds.excel import load


def test_workbook_shows_both_figures_and_flags_the_difference(towns):
    for town, skilled in zip(towns["towns"], ("100", "300", "100")):
        add_value(towns["skilled"], towns["p2023"], town, skilled)
    add_value(towns["skilled"], towns["p2023"], towns["root"], "516")
    buffer = io.BytesIO()
    export_assessment(plans_for("rollup-plan"), "2023Y", buffer)
    ws = load(buffer.getvalue())[SHEET_INDICATORS]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    # 516 judged (the district's own figure); the towns add up to 100 + 300 + 100 = 500: (516 − 500) / 500 = 3.2 %.
    assert any("本级报数与各单位合计相差3.2%（本级516人，合计500人）" in t for t in texts)
    assert any("各单位合计500人" in t and "以本级报数为准" in t for t in texts)
