"""The evaluation's page-level tests use the dashboard world (测试区, judged at 2023Y)."""

from tests.worlds.adding_up import towns  # noqa: F401  (fixtures, used by name)
from tests.worlds.dashboard import client_leader, leader, world  # noqa: F401  (fixtures, used by name)
