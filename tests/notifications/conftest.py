"""Fixtures of the notification tests: the reporting world (测试区, 甲局 and 乙局 reporting in 2025Q2)."""

from tests.worlds.reporting import world  # noqa: F401  (fixtures, used by name)
