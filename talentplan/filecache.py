"""The file cache of a single machine (settings.CACHES without CACHE_URL): Django's, counting its files at most once a
minute per process instead of on every write.

Django's FileBasedCache lists the whole cache directory on every `set` to decide whether MAX_ENTRIES is reached — about
a microsecond per file, so a cache near its 20 000 entries spends tens of milliseconds of CPU on each write. A page
built afresh writes several fragments, and the dashboards' bodies and the generation numbers pile up one per data
version until they expire. No option of the backend skips the count, so its culling step (`_cull`, a private method)
is overridden: the count still runs, and culls as before, once CULL_EVERY seconds have passed since the last; in
between the directory may grow by what one minute writes beyond MAX_ENTRIES.
"""

from __future__ import annotations

import time

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 60.0  # seconds


class _Last:
    counted = float("-inf")  # time.monotonic() of this process's last count


class FileCache(FileBasedCache):
    def _cull(self) -> None:
        now = time.monotonic()
        if now - _Last.counted < CULL_EVERY:
            return
        _Last.counted = now
        super()._cull()  # type: ignore[misc]  # private (see above), so not in django-stubs
