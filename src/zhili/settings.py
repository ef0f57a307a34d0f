"""Django settings: everything variable comes from ``zhili.conf``."""

from __future__ import annotations

import os

import dj_database_url

from zhili.conf import BASE_DIR, env

DEBUG: bool = env("ZHILI_DEBUG")
SECRET_KEY: str = env("ZHILI_SECRET_KEY")
if SECRET_KEY == "a development key":
    # Fine for the embedded demo; docs/operating.md says to set it in production.
    SECRET_KEY = "zhili-dev-insecure-key-change-me-0123456789abcdefghij"
ALLOWED_HOSTS: list[str] = [*env("ZHILI_ALLOWED_HOSTS"), "testserver"]

VAR_DIR = BASE_DIR / "var"
_db_url = env("DATABASE_URL")
if _db_url.startswith("sqlite:///<"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _db_url = f"sqlite:///{VAR_DIR / 'zhili.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so the worker started by the job-queue test sees the test database.
    # One file per test run: two runs in one checkout must not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_q",
    "zhili.accounts",
    "zhili.divisions",
    "zhili.catalogue",
    "zhili.web",
    "zhili.workdays",
    "zhili.audit",
    "zhili.notify",
    "zhili.cases",
    "zhili.datahub",
    "zhili.demo",
]
AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "zhili.urls"
WSGI_APPLICATION = "zhili.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhili.notify.context_processors.unread",
            ]
        },
    }
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise serves from the finders; an existing root keeps it from warning.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/accounts/landing/"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

ZHILI_COUNTY_CODE: str = env("ZHILI_COUNTY_CODE")
ZHILI_BASIC_CODE_PATTERN: str = env("ZHILI_BASIC_CODE_PATTERN")
ZHILI_IMPL_CODE_PATTERN: str = env("ZHILI_IMPL_CODE_PATTERN")
ZHILI_SEARCH_SYNONYMS: str = env("ZHILI_SEARCH_SYNONYMS")
ZHILI_CATALOGUE_REFRESH_SECONDS: float = env("ZHILI_CATALOGUE_REFRESH_SECONDS")
ZHILI_PAGE_CACHE_SIZE: int = env("ZHILI_PAGE_CACHE_SIZE")
ZHILI_PAGE_CACHE_SECONDS: int = env("ZHILI_PAGE_CACHE_SECONDS")
ZHILI_PII_KEYS: list[str] = env("ZHILI_PII_KEYS")
ZHILI_SMS_BACKEND: str = env("ZHILI_SMS_BACKEND")
ZHILI_EMAIL_BACKEND: str = env("ZHILI_EMAIL_BACKEND")
ZHILI_RECTIFY_DAYS: int = env("ZHILI_RECTIFY_DAYS")
ZHILI_UPLOAD_MAX_MB: int = env("ZHILI_UPLOAD_MAX_MB")
ZHILI_SWEEP_MINUTES: int = env("ZHILI_SWEEP_MINUTES")
ZHILI_ANALYTICS_ENGINE: str = env("ZHILI_ANALYTICS_ENGINE")
ZHILI_SPARK_MASTER: str = env("ZHILI_SPARK_MASTER")

# The job queue (django-q2): the database is the broker until Redis is configured.
_broker: str = env("ZHILI_QUEUE_BROKER")
if _broker not in {"orm", "redis"}:
    raise ValueError(f"ZHILI_QUEUE_BROKER must be 'orm' or 'redis', got {_broker!r}")
Q_CLUSTER: dict[str, object] = {
    "name": "zhili",
    "workers": env("ZHILI_QUEUE_WORKERS"),
    "timeout": 600,
    "retry": 660,
    "max_attempts": 3,
    "catch_up": False,
    "label": "后台任务",
    "save_limit": 1000,
    # Report rendering starts processes of its own, which daemonic workers may not.
    "daemonize_workers": False,
}
if _broker == "orm":
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 0.5
else:
    Q_CLUSTER["redis"] = env("ZHILI_REDIS_URL")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "智理 zhili API",
    "DESCRIPTION": "事项、办件、材料与电子证照的接口。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "zhili.cases.models.CaseStatus.choices",
        "DataUploadStatusEnum": "zhili.datahub.models.Upload.STATUSES",
    },
}
