"""Fixtures of the reporting tests: 测试区 with 甲局 and 乙局 reporting in 2025Q2; the 吴兴区 import setup."""

from tests.worlds.excel import upload_dir, wuxing  # noqa: F401  (fixtures, used by name)
from tests.worlds.reporting import world  # noqa: F401  (fixtures, used by name)
