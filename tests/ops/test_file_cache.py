"""The single machine's file cache (talentplan.filecache) counts its files at most once a minute, and still culls
when it has grown past MAX_ENTRIES."""

from __future__ import annotations

from pathlib import Path

import pytest

from talentplan import filecache


def test_counts_once_a_minute_and_culls_as_django_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(filecache.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(filecache._Last, "counted", float("-inf"))
    cache = filecache.FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 5, "CULL_FREQUENCY": 2}})
    for i in range(10):  # the first write counts (one file: nothing to cull), the next nine do not count
        cache.set(f"k{i}", i)
    assert len(list(tmp_path.glob("*.djcache"))) == 10
    clock[0] += filecache.CULL_EVERY
    cache.set("k10", 10)  # a minute later: counted, half of the ten culled, then written
    assert len(list(tmp_path.glob("*.djcache"))) == 6
    assert cache.get("k10") == 10
