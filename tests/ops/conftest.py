"""Fixtures of the operations tests: the reporting world and the 吴兴区 import setup."""

from tests.worlds.excel import upload_dir, wuxing  # noqa: F401  (fixtures, used by name)
from tests.worlds.reporting import world  # noqa: F401  (fixtures, used by name)
