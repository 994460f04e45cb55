"""Settings for pytest: plain static storage (the manifest one 404s without collectstatic) and fast hashing."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright tests drive live_server from a sync API

from talentplan.settings import *  # noqa: F403  (the project's settings, changed below for the tests)
from talentplan.settings import BASE_DIR, STORAGES

STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "test-artifacts" / "media"
STATIC_ROOT = None  # tests serve from finders (WhiteNoise would otherwise warn that staticfiles/ is missing)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # one process, nothing on disk

# One process evaluates in tests; the test of the spread over processes asks for more itself.
EVALUATION_PROCESSES = 1
