"""Fixtures of the dashboard tests: the small 测试区 plan judged at 2023Y and a logged-in leader."""

from tests.worlds.adding_up import towns  # noqa: F401  (fixtures, used by name)
from tests.worlds.dashboard import client_leader, leader, led_world, world  # noqa: F401  (fixtures, used by name)
