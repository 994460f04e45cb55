"""Settings for 人才规划目标管理 (talentplan).

Everything deployment-specific comes from the environment so the same code runs on a laptop (SQLite),
in CI (SQLite and PostgreSQL) and on a government intranet server (PostgreSQL behind gunicorn).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The fallback key only exists so `make run` works out of the box. With DEBUG off the WSGI application refuses to
# start on it (talentplan/wsgi.py) and `check --deploy` reports it (ops.checks): sessions and CSRF tokens signed
# with a published key can be forged.
DEFAULT_SECRET_KEY = "insecure-local-demo-key-change-me"
SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# HTTPS (docs/DEPLOY.md). HTTPS=1 turns every item on; each can still be set on its own.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP inside the network
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
# Behind nginx the TLS ends at the proxy: trust its X-Forwarded-Proto only when told the proxy sets it (and strips
# what a client sent), or a client could claim HTTPS on a plain connection.
if env_bool("SECURE_PROXY_SSL_HEADER", HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The client address for login throttling: nginx's X-Real-IP when the proxy is trusted, else REMOTE_ADDR.
TRUST_X_REAL_IP = env_bool("TRUST_X_REAL_IP", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "import_export",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "plans",
    "indicators",
    "indicators.evaluation",
    "sheets",
    "dashboard",
    "reporting",
    "excel",
    "demo",
    "django_tasks",
    "talentplan.apps.TasksDatabaseConfig",  # django_tasks_db, titled in the reader's language
    "assessment",
    "benchmarks",
    "talentplan.apps.AxesConfig",  # axes, titled in the reader's language
    "ops",
    "intake",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "notifications",
]

MIDDLEWARE = [
    "ops.middleware.RequestLogMiddleware",  # first: the request id and the duration cover everything below
    "ops.middleware.HealthzMiddleware",  # answers /healthz before host checks and HTTPS redirects
    "ops.middleware.BodySizeLimitMiddleware",  # refuses an oversized body before anything reads it
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "talentplan.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "ops.middleware.IdleSessionMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a locked-out login into the lockout page
]

ROOT_URLCONF = "talentplan.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "talentplan.context_processors.navigation",
            ]
        },
    }
]

WSGI_APPLICATION = "talentplan.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60"))
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers continue while one writer commits; the timeout rides out short write bursts.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# Write transactions on PostgreSQL give up after these waits with "系统繁忙，请稍后重试，未写入任何数据"
# (talentplan.db).
DB_LOCK_TIMEOUT_MS = env_int("DB_LOCK_TIMEOUT_MS", 5000)
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 60000)

AUTHENTICATION_BACKENDS = [
    "ops.lockout.LockoutBackend",  # first: refuses a locked-out username before any password is checked
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one address the
# pair is locked for AXES_COOLOFF_MINUTES; 组织部 can unlock at /ops/lockouts/. Site and admin login alike.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "ops.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "ops.lockout.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Idle sessions end after SESSION_IDLE_MINUTES without a request (ops.middleware.IdleSessionMiddleware renews the
# expiry as the user works, at most once a minute, instead of a session write on every request).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 120)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT: Path | None = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded workbooks between preview and confirm; on shared storage when several servers answer (excel.uploads).
if os.environ.get("EXCEL_UPLOAD_DIR"):
    EXCEL_UPLOAD_DIR = Path(os.environ["EXCEL_UPLOAD_DIR"])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get("STATICFILES_BACKEND", "whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}
if DEBUG:
    STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Evidence uploads (佐证材料): the size cap is enforced in the form too, this only stops huge bodies early.
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
# All evidence of one figure or task report together (ops: checked before a file is stored).
EVIDENCE_ITEM_MAX_BYTES = env_int("EVIDENCE_ITEM_MAX_BYTES", 50 * 1024 * 1024)
# Whole request bodies, by kind of URL (ops.middleware.BodySizeLimitMiddleware, from Content-Length, before any
# byte is read): an evidence save, an Excel or document upload (any other multipart body), anything else (forms).
REQUEST_MAX_BYTES = {
    "evidence": EVIDENCE_ITEM_MAX_BYTES + 1024 * 1024,
    "import": IMPORT_MAX_BYTES + 1024 * 1024,
    "form": env_int("FORM_MAX_BYTES", 6 * 1024 * 1024),  # pasted plan text, urlencoded, is the largest form
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # non-file fields of one request
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000  # the review page posts a few fields per item
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The first handler stops keeping a file once it passes its cap (a file over it is not stored whole to be refused).
FILE_UPLOAD_HANDLERS = [
    "ops.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # One line per request (ops.middleware.RequestLogMiddleware); REQUEST_LOG=0 silences it.
        "talentplan.request": {
            "handlers": ["stdout"],
            "propagate": False,
            "level": "INFO" if env_bool("REQUEST_LOG", True) else "WARNING",
        }
    },
}

# The session is read on every request. "cached_db" answers from the cache and keeps the database row for
# durability; logging out deletes both. One machine: a file cache under CACHE_DIR that all its gunicorn workers
# share. Several application servers: CACHE_URL=redis://host:6379/0 (Django's Redis cache), so sessions, dashboard
# bodies and the data version are the same on every server.
CACHE_DIR = Path(os.environ.get("CACHE_DIR", BASE_DIR / "var" / "cache"))
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "talentplan"),
            "TIMEOUT": 300,
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        }
    }
elif CACHE_URL:
    raise ImproperlyConfigured(
        f"CACHE_URL must be redis://host:port/db (or empty for the file cache), not {CACHE_URL!r}"
    )
else:
    CACHES = {
        "default": {
            "BACKEND": "talentplan.filecache.FileCache",  # Django's, counting its files once a minute
            "LOCATION": str(CACHE_DIR),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Verdicts are kept current by the evaluation services; plan-wide recalculations run in the background worker
# (`manage.py db_worker`) when EVALUATION_BACKGROUND is on, and inline (in the request or command that caused them)
# otherwise — tests, commands and small installations without a worker.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if env_bool("EVALUATION_BACKGROUND", False)
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}
# A plan's recalculation is spread over this many processes (PostgreSQL only; SQLite runs it in one).
EVALUATION_PROCESSES = env_int("EVALUATION_PROCESSES", min(4, os.cpu_count() or 1))
# A write touching more (indicator, unit) pairs than this (a large import) has them evaluated by the worker right
# after its commit instead of inside its own transaction; a form's submission stays well below it.
EVALUATION_INLINE_PAIRS = env_int("EVALUATION_INLINE_PAIRS", 500)

# Dashboard bodies (overview, plan, unit pages) and the read-all assessment workbook are kept in that cache per data
# generation (talentplan.pagecache); DASHBOARD_CACHE=0 builds every view afresh (the benchmark measures both).
DASHBOARD_CACHE = os.environ.get("DASHBOARD_CACHE", "1") != "0"

# Notifications (notifications/): in the app always; e-mail through Django's e-mail backend — the console by
# default, SMTP when EMAIL_HOST is set; group robots (企业微信 / 钉钉) per unit or for 组织部, configured in 数据管理
# and off until enabled. SITE_URL (https://talent.example.gov.cn) makes links in e-mails and robot messages absolute.
NOTIFY_EMAIL = env_bool("NOTIFY_EMAIL", True)
NOTIFY_WEBHOOK_TIMEOUT = env_int("NOTIFY_WEBHOOK_TIMEOUT", 5)  # seconds
SITE_URL = os.environ.get("SITE_URL", "").strip()
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)  # seconds
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "talentplan@localhost")

# The API for other government systems (/api/v1/, api/): bearer tokens made by 组织部, scoped read or write for one
# unit; the browser session for the app's own pages. Rates are per token (per user for a session).
API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 90)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 366)
API_IDEMPOTENCY_HOURS = env_int("API_IDEMPOTENCY_HOURS", 24)
API_BATCH_MAX_ITEMS = env_int("API_BATCH_MAX_ITEMS", 5000)
# Refused API keys per client address: after this many within the window, its requests with a key wait it out.
API_TOKEN_REFUSALS = env_int("API_TOKEN_REFUSALS", 20)
API_TOKEN_REFUSAL_SECONDS = env_int("API_TOKEN_REFUSAL_SECONDS", 600)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "api.authentication.AppSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ReadRateThrottle", "api.throttling.WriteRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api_read": os.environ.get("API_READ_RATE", "1200/min"),
        "api_write": os.environ.get("API_WRITE_RATE", "300/min"),
    },
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.DecimalJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "人才规划目标管理 API",
    "DESCRIPTION": "规划、指标、任务、填报周期、实际值、评估结果（verdicts）与考核通报的读取，实际值与任务进展的写入。"
    "令牌由组织部在“接口令牌”页面或 `manage.py create_api_token` 创建。",
    "VERSION": "v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",  # Swagger UI and Redoc from the app itself: no CDN on an intranet
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.add_error_responses"],
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "plans.models.Department.Kind",
        "PlanKindEnum": "plans.models.Plan.Kind",
        "PlanStatusEnum": "plans.models.Plan.Status",
        "PeriodKindEnum": "plans.models.ReportingPeriod.Kind",
        "PeriodStateEnum": "plans.models.ReportingPeriod.State",
        "IndicatorKindEnum": "indicators.models.Indicator.Kind",
        "ReviewStatusEnum": "indicators.models.ReviewStatus",
        "VerdictStatusEnum": "api.reports.VERDICT_STATUSES",
    },
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}
