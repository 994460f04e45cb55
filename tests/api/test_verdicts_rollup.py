"""The API's verdicts carry a line's roll-up as `plan_report --json --units` prints it (issue 20)."""

from __future__ import annotations

from plans.roles import LEADER
from tests.api.helpers import Api, make_token
from tests.conftest import make_user
from tests.worlds.adding_up import share_figures, towns  # noqa: F401  (fixtures, used by name)


def test_verdicts_carry_the_rollup(towns):
    share_figures(towns)
    api = Api(make_token(make_user("api_leader", LEADER)))
    body = api.get("/api/v1/verdicts/", {"plan": "rollup-plan", "period": "2023Y", "level": "indicator"}).json()
    share = next(r for r in body["results"] if r["name"] == "高技能人才占比")
    # (10 + 90) / (100 + 300) × 100 = 25 %, beside the average (10 + 30) / 2 = 20 %; 丙镇 missing.
    assert share["actual"] == "25"
    assert share["rollup"]["value"] == "25" and share["rollup"]["average"] == "20"
    assert share["rollup"]["units_missing"] == ["丙镇"] and share["rollup"]["units_counted"] == 2
    plain = next(r for r in body["results"] if r["name"] == "人才资源总量")
    assert plain["rollup"] is None
