"""Lotse settings: one file, configured only through environment variables.

Every variable is listed in ``.env.example`` and in the README. Development
defaults are safe for a laptop; ``LOTSE_PRODUCTION=true`` switches to a mode
that refuses to start without the values a public server needs and passes
``manage.py check --deploy``.
"""

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from lotse.config.env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env("LOTSE_DATA_DIR", str(BASE_DIR.parent / "var")))

PRODUCTION = env_bool("LOTSE_PRODUCTION", False)
DEBUG = env_bool("LOTSE_DEBUG", not PRODUCTION)

SECRET_KEY = env("LOTSE_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("LOTSE_SECRET_KEY must be set when LOTSE_PRODUCTION=true")
    SECRET_KEY = "insecure-development-key-never-use-in-production-lotse-0123456789"

ALLOWED_HOSTS = env_list(
    "LOTSE_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("LOTSE_ALLOWED_HOSTS must be set when LOTSE_PRODUCTION=true")
CSRF_TRUSTED_ORIGINS = env_list("LOTSE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "lotse.core",
    "lotse.network",
    "lotse.accounts",
    "lotse.offers",
    "lotse.occupations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

if PRODUCTION:
    # In development runserver serves static files; in production WhiteNoise does.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "lotse.config.urls"
WSGI_APPLICATION = "lotse.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]


def _database() -> dict[str, Any]:
    url = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'lotse.sqlite3'}")
    config = dj_database_url.parse(url, conn_max_age=env_int("LOTSE_DB_CONN_MAX_AGE", 0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if config["NAME"] and config["NAME"] != ":memory:":
            # A fresh checkout has no var/ yet; SQLite cannot create the folder itself.
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # WAL lets the web server read while the worker writes; IMMEDIATE
        # transactions and a busy timeout turn lock contention into waiting.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["TEST"] = {"NAME": env("LOTSE_TEST_SQLITE_NAME") or None}
    return dict(config)


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("LOTSE_STATIC_ROOT", str(DATA_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"

# E-mail: printed to the console unless an SMTP server is configured.
EMAIL_HOST = env("LOTSE_EMAIL_HOST")
EMAIL_PORT = env_int("LOTSE_EMAIL_PORT", 587)
EMAIL_HOST_USER = env("LOTSE_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("LOTSE_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("LOTSE_EMAIL_USE_TLS", True)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("LOTSE_DEFAULT_FROM_EMAIL", "lotse@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks run at once in development and tests; production uses the
# database-backed worker (``lotse db_worker``), so no broker is needed.
TASK_BACKEND = env("LOTSE_TASK_BACKEND", "database" if PRODUCTION else "immediate")
if TASK_BACKEND not in {"immediate", "database"}:
    raise ImproperlyConfigured("LOTSE_TASK_BACKEND must be 'immediate' or 'database'")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[TASK_BACKEND]
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["lotse.core.api.ReadOnlyOrStaffWrites"],
    "DEFAULT_PARSER_CLASSES": [
        "lotse.core.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "lotse.core.api.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "lotse.core.api.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "lotse.core.schema.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lotse API",
    "DESCRIPTION": (
        "Networks, organisations and action concepts of regional skilled-labour alliances."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "lotse.network.models.OrganisationKind",
        "NetworkKindEnum": "lotse.network.models.NetworkKind",
        "PrincipleKindEnum": "lotse.network.models.PrincipleKind",
        "RegionLevelEnum": "lotse.network.models.RegionLevel",
        "MembershipRoleEnum": "lotse.network.models.MembershipRole",
    },
}

# Messages live in the session: a new API token is shown once and must not
# travel in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Demo accounts are a development convenience; production never creates them.
DEMO_PASSWORD = env("LOTSE_DEMO_PASSWORD", "lotse-demo-2026")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("LOTSE_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("LOTSE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("LOTSE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("LOTSE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("LOTSE_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOTSE_LOG_LEVEL", "INFO")},
}
