"""The rooms import each other in one direction only (docs/ARCHITECTURE.md), and the engine stays pure."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each room and the rooms it may import. Lower layers never import higher ones, so there is no cycle.
ALLOWED: dict[str, set[str]] = {
    "plans": set(),
    "notifications": {"plans"},
    "indicators": {"plans", "notifications"},
    "sheets": {"indicators"},
    "assessment": {"plans", "indicators", "sheets", "notifications"},
    "intake": {"plans", "indicators", "sheets"},
    "reporting": {"plans", "indicators", "notifications"},
    "dashboard": {"plans", "indicators", "assessment"},
    "excel": {"plans", "indicators", "sheets", "assessment", "intake"},
    "ops": {"plans", "indicators"},
    "api": {"plans", "indicators", "assessment", "reporting", "ops"},
    "demo": {"plans", "indicators", "assessment"},
    "benchmarks": {
        "plans",
        "indicators",
        "sheets",
        "assessment",
        "reporting",
        "dashboard",
        "excel",
        "demo",
        "api",
        "intake",
        "ops",
        "notifications",
    },
}
# The project's own base modules every room may use; the project's glue (urls, wsgi, context processors) may use all.
BASE = {
    "talentplan.pagecache",
    "talentplan.db",
    "talentplan.lookups",
    "talentplan.settings",
    "talentplan.middleware",
    "talentplan.requests",
}
ROOMS = set(ALLOWED)


def _imports(path: Path) -> Iterator[tuple[str, int]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node.lineno
            yield from ((f"{node.module}.{alias.name}", node.lineno) for alias in node.names)


def _modules(room: str) -> Iterator[Path]:
    for path in (ROOT / room).rglob("*.py"):
        if "migrations" not in path.parts:
            yield path


def test_rooms_import_downwards_only() -> None:
    wrong = []
    for room in sorted(ROOMS):
        for path in _modules(room):
            for module, line in _imports(path):
                top = module.split(".")[0]
                if (
                    top == "talentplan"
                    and not any(module == b or module.startswith(b + ".") for b in BASE)
                    and module != "talentplan"
                ):
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module} (project glue)")
                elif top in ROOMS and top != room and top not in ALLOWED[room]:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_base_modules_import_no_room() -> None:
    for name in BASE:
        path = ROOT / (name.replace(".", "/") + ".py")
        if path.exists():
            rooms = {m.split(".")[0] for m, _line in _imports(path)} & ROOMS
            assert not rooms, f"{name} imports {rooms}"


def test_the_engine_is_pure() -> None:
    """indicators.engine: the standard library and itself only (no Django, no ORM, no I/O)."""
    for path in (ROOT / "indicators" / "engine").rglob("*.py"):
        for module, line in _imports(path):
            top = module.split(".")[0]
            assert top in {
                "__future__",
                "calendar",
                "collections",
                "dataclasses",
                "datetime",
                "decimal",
                "enum",
                "functools",
                "typing",
                "indicators",
            } and (top != "indicators" or module.startswith("indicators.engine")), (
                f"{path.relative_to(ROOT)}:{line} imports {module}"
            )


def test_no_test_module_imports_another() -> None:
    """Shared data comes from tests/worlds and the conftest files, never from another test module."""
    for path in (ROOT / "tests").rglob("test_*.py"):
        for module, line in _imports(path):
            leaf = module.split(".")[-1]
            assert not (module.startswith("tests.") and (leaf.startswith("test_") or ".test_" in module)), (
                f"{path.relative_to(ROOT)}:{line} imports {module}"
            )
