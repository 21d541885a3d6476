"""Qinglian settings, read from the environment with safe defaults.

QINGLIAN_HOME     data directory (default ./var): secret keys, uploads, SQLite database
DATABASE_URL      database (default: SQLite file in QINGLIAN_HOME)
SECRET_KEY        Django secret; generated and kept in QINGLIAN_HOME on first run when unset
QINGLIAN_FIELD_KEY  32 hex chars: SM4 key for personal data at rest (generated when unset)
QINGLIAN_AUDIT_KEY  64 hex chars: HMAC-SM3 key that chains the audit trail (generated when unset)
QINGLIAN_ENV      "development" (default) or "production"
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
QINGLIAN_HOME = Path(os.environ.get("QINGLIAN_HOME", "var")).resolve()
QINGLIAN_HOME.mkdir(parents=True, exist_ok=True)
QINGLIAN_ENV = os.environ.get("QINGLIAN_ENV", "development")
PRODUCTION = QINGLIAN_ENV == "production"


def _kept_secret(env_name: str, filename: str, nbytes: int) -> str:
    """Return the secret from the environment, else from the data directory, else a new one."""
    value = os.environ.get(env_name)
    if value:
        return value
    path = QINGLIAN_HOME / filename
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_hex(nbytes)
    path.write_text(value)
    path.chmod(0o600)
    return value


SECRET_KEY = _kept_secret("SECRET_KEY", "secret_key", 32)
QINGLIAN_FIELD_KEY = _kept_secret("QINGLIAN_FIELD_KEY", "field.key", 16)
QINGLIAN_AUDIT_KEY = _kept_secret("QINGLIAN_AUDIT_KEY", "audit.key", 32)

DEBUG = not PRODUCTION and os.environ.get("QINGLIAN_DEBUG", "1") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",  # only for its Swagger UI static files (served locally, no CDN)
    "qinglian.core",
    "qinglian.registry",
    "qinglian.evaluation",
    "qinglian.declarations",
    "qinglian.screening",
    "qinglian.risk",
    "qinglian.credit",
    "qinglian.monitoring",
    "qinglian.portal",  # issue 4: the public disclosure portal
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qinglian.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qinglian.core.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qinglian.config.urls"
WSGI_APPLICATION = "qinglian.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qinglian.core.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{QINGLIAN_HOME / 'qinglian.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on during a long import; the timeout waits out a writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Sign-in lockout: 5 failures within an hour lock that username from that address.
AXES_FAILURE_LIMIT = int(os.environ.get("QINGLIAN_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

# Session timeout: 30 minutes of inactivity, and gone when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("QINGLIAN_SESSION_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
QINGLIAN_LOCALE_DIR = QINGLIAN_HOME / "locale"
LOCALE_PATHS = [QINGLIAN_LOCALE_DIR]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = QINGLIAN_HOME / "static"
MEDIA_ROOT = QINGLIAN_HOME / "media"
MEDIA_URL = "/media/"  # never served directly: files go through restricted views
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
QINGLIAN_MAX_UPLOAD_BYTES = int(os.environ.get("QINGLIAN_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    DEBUG = False
    SECURE_SSL_REDIRECT = os.environ.get("QINGLIAN_SSL_REDIRECT", "1") == "1"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("QINGLIAN_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50

# --- public portal (issue 4): cache and rate limits ------------------------------------------
# QINGLIAN_CACHE_URL: locmem:// (default, one cache per process), file:///abs/dir (shared by
# every worker of one machine), redis://host:6379/0, dummy:// (no caching). Rate limits count
# in this cache: give production several workers a shared one (file or redis).


def _cache_from_url(url: str) -> dict[str, object]:
    scheme, _, rest = url.partition("://")
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme == "file":
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": rest or str(QINGLIAN_HOME / "cache"),
                "OPTIONS": {"MAX_ENTRIES": 20000}}
    if scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": rest or "qinglian", "OPTIONS": {"MAX_ENTRIES": 5000}}


CACHES = {"default": _cache_from_url(os.environ.get("QINGLIAN_CACHE_URL", "locmem://"))}
PORTAL_CACHE_SECONDS = int(os.environ.get("QINGLIAN_PORTAL_CACHE_SECONDS", "60"))
PORTAL_SEARCH_RATE = os.environ.get("QINGLIAN_PORTAL_SEARCH_RATE", "30/m")
PORTAL_VERIFY_RATE = os.environ.get("QINGLIAN_PORTAL_VERIFY_RATE", "20/m")
PORTAL_REPORT_RATE = os.environ.get("QINGLIAN_PORTAL_REPORT_RATE", "10/m")
