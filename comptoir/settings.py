"""comptoir settings: one module, every value from the environment (COMPTOIR_*).

Each variable is documented in ``.env.example``. A value comptoir cannot use stops start-up with
``ImproperlyConfigured`` naming the variable. App code reads ``django.conf.settings`` at call time,
never at import time.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from comptoir.lib.dburl import DatabaseUrlError, parse_database_url
from comptoir.lib.env import Env, SettingError
from comptoir.lib.mailurl import EmailUrlError, parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()


def _fail(name: str, message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name}: {message}")


def _read_settings() -> dict[str, Any]:
    data_dir = Path(env.string("COMPTOIR_DATA_DIR", str(BASE_DIR / "var"))).expanduser()
    if not data_dir.is_absolute():
        data_dir = BASE_DIR / data_dir
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        message = f"cannot create {data_dir} ({exc.strerror})"
        raise _fail("COMPTOIR_DATA_DIR", message) from None

    secret_key = env.string("COMPTOIR_SECRET_KEY", "")
    if secret_key and len(secret_key) < 32:
        raise _fail("COMPTOIR_SECRET_KEY", "must be at least 32 characters long")
    if not secret_key:
        # Generated once and kept in the data folder: sessions and signed tokens survive restarts.
        key_file = data_dir / "secret_key"
        if not key_file.exists():
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
        secret_key = key_file.read_text().strip()

    default_db = f"sqlite:///{data_dir / 'comptoir.sqlite3'}"
    try:
        database = parse_database_url(
            env.string("COMPTOIR_DATABASE_URL", default_db), base_dir=BASE_DIR
        )
    except DatabaseUrlError as exc:
        raise _fail("COMPTOIR_DATABASE_URL", str(exc)) from None
    if database["ENGINE"].endswith("mysql"):
        import pymysql  # the pure-Python driver: no compiler or client headers needed

        pymysql.version_info = (2, 2, 7, "final", 0)  # what Django's version check expects
        pymysql.install_as_MySQLdb()

    try:
        email = parse_email_url(
            env.string("COMPTOIR_EMAIL_URL", f"file:///{data_dir / 'sent-mail'}"), base_dir=BASE_DIR
        )
    except EmailUrlError as exc:
        raise _fail("COMPTOIR_EMAIL_URL", str(exc)) from None

    site_url = env.string("COMPTOIR_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    site = urlsplit(site_url)
    if site.scheme not in {"http", "https"} or not site.hostname:
        raise _fail("COMPTOIR_SITE_URL", f"expected http(s)://host[:port], got {site_url!r}")

    from_email = env.string("COMPTOIR_FROM_EMAIL", f"shop@{site.hostname}")
    if "@" not in from_email or any(c in from_email for c in "\r\n<>"):
        raise _fail("COMPTOIR_FROM_EMAIL", f"not an e-mail address: {from_email!r}")

    language = env.choice("COMPTOIR_LANGUAGE", "en", [code for code, _ in LANGUAGES])
    return {
        "data_dir": data_dir,
        "secret_key": secret_key,
        "database": database,
        "email": email,
        "site_url": site_url,
        "site_host": site.hostname,
        "from_email": from_email,
        "language": language,
    }


# Languages of the UI, the e-mails and the per-language content. Adding one = a catalogue under
# comptoir/locale/<code>/ and a line here (see docs in README, "Adding a language").
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español")]

try:
    _s = _read_settings()
    DEBUG = env.boolean("COMPTOIR_DEBUG", False)
    _allowed = env.strings("COMPTOIR_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
    _https = env.boolean("COMPTOIR_HTTPS", False)
    _log_level = env.choice("COMPTOIR_LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR"])
    COMPTOIR_ATTACHMENT_MAX_BYTES = env.integer(
        "COMPTOIR_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024
    )
    COMPTOIR_OUTBOX_MAX_ATTEMPTS = env.integer(
        "COMPTOIR_OUTBOX_MAX_ATTEMPTS", 8, minimum=1, maximum=50
    )
    COMPTOIR_WORKER_INTERVAL = env.integer("COMPTOIR_WORKER_INTERVAL", 2, minimum=1, maximum=3600)
    COMPTOIR_MAIL_POLL_SECONDS = env.integer("COMPTOIR_MAIL_POLL_SECONDS", 60, minimum=5)
    COMPTOIR_WEB_WORKERS = env.integer("COMPTOIR_WEB_WORKERS", 2, minimum=1, maximum=64)
    COMPTOIR_BIND = env.string("COMPTOIR_BIND", "127.0.0.1:8000")
    COMPTOIR_CURRENCY = env.string("COMPTOIR_CURRENCY", "EUR").upper()
    if len(COMPTOIR_CURRENCY) != 3 or not COMPTOIR_CURRENCY.isalpha():
        raise SettingError("COMPTOIR_CURRENCY", "expected a three-letter ISO 4217 code")
    COMPTOIR_SHOP_NAME = env.string("COMPTOIR_SHOP_NAME", "comptoir demo shop")
    _redis_url = env.string("COMPTOIR_REDIS_URL", "")
    if _redis_url and urlsplit(_redis_url).scheme not in {"redis", "rediss", "unix"}:
        raise SettingError("COMPTOIR_REDIS_URL", "expected redis://, rediss:// or unix://")
    TIME_ZONE = env.string("COMPTOIR_TIME_ZONE", "UTC")
except SettingError as exc:
    raise ImproperlyConfigured(str(exc)) from None

try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"COMPTOIR_TIME_ZONE: unknown time zone {TIME_ZONE!r}") from None

DATA_DIR: Path = _s["data_dir"]
SECRET_KEY: str = _s["secret_key"]
ALLOWED_HOSTS = _allowed
COMPTOIR_SITE_URL: str = _s["site_url"]
# Domain of the Message-IDs comptoir signs; the site's host name unless set.
COMPTOIR_MESSAGE_ID_DOMAIN = env.string("COMPTOIR_MESSAGE_ID_DOMAIN", _s["site_host"])
DEFAULT_FROM_EMAIL: str = _s["from_email"]
SERVER_EMAIL = DEFAULT_FROM_EMAIL
LANGUAGE_CODE: str = _s["language"]

DATABASES = {"default": _s["database"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
globals().update(_s["email"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "comptoir.staff",
    "comptoir.shop",
    "comptoir.threads",
    "comptoir.mail",
    "comptoir.contact_form",
    "comptoir.api",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "comptoir.lib.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "comptoir.staff.middleware.EmployeeLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "comptoir.urls"
WSGI_APPLICATION = "comptoir.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "comptoir" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "comptoir.context_processors.shop",
            ],
        },
    }
]

# Form widgets are drawn with Django's Jinja2 widget templates: the same markup, in about half
# the time of the template engine's (the thread page draws eight widgets and their options).
FORM_RENDERER = "django.forms.renderers.Jinja2"

AUTH_USER_MODEL = "staff.Employee"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "desk:home"
LOGOUT_REDIRECT_URL = "staff:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

if _redis_url:
    CACHES: dict[str, Any] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
        }
    }
else:
    # Shared by every web process and the worker (rate limits, login throttling).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "comptoir_cache",
        }
    }
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
CSRF_TRUSTED_ORIGINS = [COMPTOIR_SITE_URL]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if _https:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365

USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "comptoir" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "comptoir" / "static"]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "attachments")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A request body read into memory: JSON API requests carry shop data batches and base64 files.
DATA_UPLOAD_MAX_MEMORY_SIZE = COMPTOIR_ATTACHMENT_MAX_BYTES * 4 // 3 + 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"comptoir": {"level": _log_level, "propagate": True}},
}

# The public contact form: the shortest time a person takes to fill it, how long a form stays
# valid, and how many messages one address (IP or e-mail) may send in a window.
COMPTOIR_CONTACT_MIN_FILL_SECONDS = env.integer("COMPTOIR_CONTACT_MIN_FILL_SECONDS", 3, maximum=600)
COMPTOIR_CONTACT_FORM_MAX_AGE = 2 * 60 * 60
COMPTOIR_CONTACT_RATE_PER_IP = env.integer("COMPTOIR_CONTACT_RATE_PER_IP", 5, minimum=1)
COMPTOIR_CONTACT_RATE_PER_EMAIL = env.integer("COMPTOIR_CONTACT_RATE_PER_EMAIL", 5, minimum=1)
COMPTOIR_CONTACT_RATE_WINDOW = 10 * 60
COMPTOIR_CONTACT_MESSAGE_MAX_CHARS = 10_000
# Branding of the public pages: a logo address (same site, or its origin is allowed by the CSP)
# and the accent colour.
COMPTOIR_SHOP_LOGO_URL = env.string("COMPTOIR_SHOP_LOGO_URL", "")
COMPTOIR_SHOP_ACCENT_COLOR = env.string("COMPTOIR_SHOP_ACCENT_COLOR", "#25b9d7")
if not __import__("re").fullmatch(r"#[0-9a-fA-F]{6}", COMPTOIR_SHOP_ACCENT_COLOR):
    raise ImproperlyConfigured("COMPTOIR_SHOP_ACCENT_COLOR: expected a colour like #25b9d7")
