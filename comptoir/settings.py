"""comptoir settings: one module, every value from the environment (COMPTOIR_*).

Each variable is documented in ``.env.example``. A value comptoir cannot use stops start-up with
``ImproperlyConfigured`` naming the variable (the typed readers of ``lib.env``). App code reads
``django.conf.settings`` at call time, never at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from comptoir.lib.env import Env

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()

# Languages of the UI, the e-mails and the per-language content. Adding one = a catalogue under
# comptoir/locale/<code>/ and a line here (see docs in README, "Adding a language").
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español")]

# Readable by comptoir's user only (0700); every file comptoir writes is 0600 (the umask the
# `comptoir` command sets, lib.files); `manage.py check` warns otherwise (ops.checks).
DATA_DIR = env.directory("COMPTOIR_DATA_DIR", BASE_DIR / "var", base=BASE_DIR, private=True)
# Generated once and kept in the data folder when unset: sessions and signed tokens survive
# restarts.
SECRET_KEY = env.secret("COMPTOIR_SECRET_KEY", min_length=32, generated_in=DATA_DIR / "secret_key")
DEBUG = env.boolean("COMPTOIR_DEBUG", False)
ALLOWED_HOSTS = env.strings("COMPTOIR_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
COMPTOIR_HTTPS = env.boolean("COMPTOIR_HTTPS", False)
# Proxies whose X-Forwarded-For is believed (lib.http.client_address); none by default.
COMPTOIR_TRUSTED_PROXIES = env.networks("COMPTOIR_TRUSTED_PROXIES")
COMPTOIR_LOG_LEVEL = env.choice("COMPTOIR_LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR"])
# The web server's address; the site's address follows it unless COMPTOIR_SITE_URL is set, so
# another port is one setting.
COMPTOIR_BIND = env.pattern(
    "COMPTOIR_BIND",
    "127.0.0.1:8000",
    r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}",
    expected="host:port, like 127.0.0.1:8000 or [::1]:8000",
)
_bind_host, _bind_port = COMPTOIR_BIND.rsplit(":", 1)
_bind_host = {"0.0.0.0": "127.0.0.1", "[::]": "[::1]"}.get(_bind_host, _bind_host)  # noqa: S104
COMPTOIR_SITE_URL = env.url(
    "COMPTOIR_SITE_URL",
    f"http://{_bind_host}:{_bind_port}",
    schemes={"http", "https"},
    expected="http(s)://host[:port]",
    host=True,
).rstrip("/")
_site_host = str(urlsplit(COMPTOIR_SITE_URL).hostname)
# Domain of the Message-IDs comptoir signs; the site's host name unless set.
COMPTOIR_MESSAGE_ID_DOMAIN = env.string("COMPTOIR_MESSAGE_ID_DOMAIN", _site_host)
DEFAULT_FROM_EMAIL = env.email_address("COMPTOIR_FROM_EMAIL", f"shop@{_site_host}")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
LANGUAGE_CODE = env.choice("COMPTOIR_LANGUAGE", "en", [code for code, _name in LANGUAGES])
TIME_ZONE = env.time_zone("COMPTOIR_TIME_ZONE", "UTC")

COMPTOIR_ATTACHMENT_MAX_BYTES = env.integer(
    "COMPTOIR_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024
)
# Largest e-mail fetched (issue 16): a larger one stays on the server, reported, never deleted.
COMPTOIR_MAIL_MAX_BYTES = env.integer(
    "COMPTOIR_MAIL_MAX_BYTES", 256 * 1024 * 1024, minimum=1024 * 1024, maximum=2**31 - 1
)
COMPTOIR_OUTBOX_MAX_ATTEMPTS = env.integer("COMPTOIR_OUTBOX_MAX_ATTEMPTS", 8, minimum=1, maximum=50)
COMPTOIR_WORKER_INTERVAL = env.integer("COMPTOIR_WORKER_INTERVAL", 2, minimum=1, maximum=3600)
COMPTOIR_MAIL_POLL_SECONDS = env.integer("COMPTOIR_MAIL_POLL_SECONDS", 60, minimum=5)
COMPTOIR_WEB_WORKERS = env.integer("COMPTOIR_WEB_WORKERS", 2, minimum=1, maximum=64)
COMPTOIR_CURRENCY = env.pattern(
    "COMPTOIR_CURRENCY", "EUR", "[A-Za-z]{3}", expected="a three-letter ISO 4217 code"
).upper()
COMPTOIR_SHOP_NAME = env.string("COMPTOIR_SHOP_NAME", "comptoir demo shop")
COMPTOIR_REDIS_URL = env.url(
    "COMPTOIR_REDIS_URL",
    "",
    schemes={"redis", "rediss", "unix"},
    expected="redis://, rediss:// or unix://",
    host=False,
)

DATABASES = {
    "default": env.database_url(
        "COMPTOIR_DATABASE_URL", f"sqlite:///{DATA_DIR / 'comptoir.sqlite3'}", base_dir=BASE_DIR
    )
}
if DATABASES["default"]["ENGINE"].endswith("mysql"):
    import pymysql  # the pure-Python driver: no compiler or client headers needed

    pymysql.version_info = (2, 2, 7, "final", 0)  # what Django's version check expects
    pymysql.install_as_MySQLdb()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_email = env.email_url("COMPTOIR_EMAIL_URL", f"file:///{DATA_DIR / 'sent-mail'}", base_dir=BASE_DIR)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH")
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = _email.get("EMAIL_TIMEOUT")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "comptoir.staff",
    "comptoir.shop",
    "comptoir.notifications",
    "comptoir.threads",
    "comptoir.orders",
    "comptoir.desk_settings",
    "comptoir.mail",
    "comptoir.contact_form",
    "comptoir.api",
    "comptoir.privacy",
    "comptoir.ops",
    "ninja",
]

MIDDLEWARE = [
    "comptoir.lib.accesslog.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "comptoir.lib.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads a body (the CSRF check does): too large is refused unread.
    "comptoir.lib.uploads.BodySizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "comptoir.staff.middleware.EmployeeLanguageMiddleware",
    "comptoir.staff.middleware.DeskNoStoreMiddleware",
    "comptoir.staff.middleware.AdminTwoFactorMiddleware",
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
    },
    # The list's rows and the thread page's messages and timeline: Jinja2 partials with
    # autoescape, included by the Django templates with {% partial %} (comptoir.threads.partials).
    {
        "NAME": "partials",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,  # <app>/jinja2/
        "OPTIONS": {
            "environment": "comptoir.threads.partials.environment",
            "extensions": ["jinja2.ext.i18n"],
        },
    },
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
# Administrators must use two-factor login (TOTP); others may (staff/two_factor.py).
COMPTOIR_ADMIN_TWO_FACTOR = env.boolean("COMPTOIR_ADMIN_TWO_FACTOR", False)
OTP_TOTP_ISSUER = COMPTOIR_SHOP_NAME
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works once, within an hour
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

if COMPTOIR_REDIS_URL:
    CACHES: dict[str, Any] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": COMPTOIR_REDIS_URL,
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
# With Redis, sessions are read from the cache and written through to the database (cached_db):
# a poll reads no session row, and a Redis restart signs nobody out.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if COMPTOIR_REDIS_URL
    else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_SECURE = COMPTOIR_HTTPS
CSRF_COOKIE_SECURE = COMPTOIR_HTTPS
CSRF_TRUSTED_ORIGINS = [COMPTOIR_SITE_URL]
CSRF_FAILURE_VIEW = "comptoir.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if COMPTOIR_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    # Issue 20 (docs/deploy.md): plain http is redirected even if the proxy forgets to, except
    # the health check that the machine's own monitoring asks on the loopback; the HSTS
    # options are the shop's choice for its whole domain, so they are settings, on in the recipe.
    SECURE_SSL_REDIRECT = env.boolean("COMPTOIR_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("COMPTOIR_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env.boolean("COMPTOIR_HSTS_PRELOAD", False)

USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "comptoir" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "comptoir" / "static"]
WHITENOISE_USE_FINDERS = True
# Every file comptoir keeps (attachments, large inbound mail, exports): the data folder, or an S3
# bucket (lib.storageurl). Downloads always go through comptoir's views.
STORAGES = {
    "default": env.storage_url(
        "COMPTOIR_STORAGE_URL", default_folder=DATA_DIR / "attachments", base_dir=BASE_DIR
    ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A request body read into memory: JSON API requests carry shop data batches and base64 files.
DATA_UPLOAD_MAX_MEMORY_SIZE = COMPTOIR_ATTACHMENT_MAX_BYTES * 4 // 3 + 1024 * 1024
# The largest body a request may declare, by path prefix (lib/uploads.py answers 413 unread);
# elsewhere, the API included, DATA_UPLOAD_MAX_MEMORY_SIZE. The contact form takes one file,
# a desk reply up to five (threads/forms.py MAX_REPLY_FILES); 1 MB for the text around them.
BODY_SIZE_LIMITS = (
    ("/contact/", COMPTOIR_ATTACHMENT_MAX_BYTES + 1024 * 1024),
    ("/desk/", 5 * COMPTOIR_ATTACHMENT_MAX_BYTES + 1024 * 1024),
)
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"comptoir": {"level": COMPTOIR_LOG_LEVEL, "propagate": True}},
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
COMPTOIR_SHOP_ACCENT_COLOR = env.pattern(
    "COMPTOIR_SHOP_ACCENT_COLOR", "#25b9d7", "#[0-9a-fA-F]{6}", expected="a colour like #25b9d7"
)
