"""Fixtures of the assessment tests: 测试区's four assessed units under a 2024Y scheme."""

from tests.worlds.assessment import world  # noqa: F401  (fixtures, used by name)
