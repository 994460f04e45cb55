"""Fixtures of the Excel tests: 吴兴区 reporting wuxing-14th for 2025Q1; uploads kept in the test's temp dir."""

from tests.worlds.adding_up import towns  # noqa: F401  (fixtures, used by name)
from tests.worlds.excel import upload_dir, wuxing  # noqa: F401  (fixtures, used by name)
