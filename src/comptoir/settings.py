"""One settings module, read from the environment.

Every value has a working default for a laptop; production sets ``COMPTOIR_SECRET_KEY``,
``DATABASE_URL`` and ``COMPTOIR_DEBUG=0``.
"""

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("COMPTOIR_VAR_DIR", Path.cwd() / "var"))

DEBUG = env_bool("COMPTOIR_DEBUG", True)
SECRET_KEY = os.environ.get("COMPTOIR_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("COMPTOIR_SECRET_KEY must be set when COMPTOIR_DEBUG is off")
    SECRET_KEY = "comptoir-development-only-key-never-use-in-production"
ALLOWED_HOSTS = env_list("COMPTOIR_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("COMPTOIR_CSRF_TRUSTED_ORIGINS", "")
# Outside development the site is served over HTTPS only, so cookies never travel in clear.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("COMPTOIR_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Serves the API docs page's Swagger UI from static files instead of a CDN.
    "ninja",
    "django_tasks_db",
    "comptoir.core",
    "comptoir.accounts",
    "comptoir.catalog",
    "comptoir.pricing",
    "comptoir.inventory",
    "comptoir.ordering",
    "comptoir.promotions",
    "comptoir.taxes",
    "comptoir.invoicing",
    "comptoir.integration",
    "comptoir.search",
    "comptoir.storefront",
    "comptoir.backoffice",
    "comptoir.api",
    "comptoir.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After LocaleMiddleware and authentication: a logged-in user's saved language wins.
    "comptoir.storefront.languages.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: the access mode (open, login required, pilot) and
    # the basic-auth gate, read on every request.
    "comptoir.storefront.access_middleware.StorefrontAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "comptoir.urls"
WSGI_APPLICATION = "comptoir.wsgi.application"
ASGI_APPLICATION = "comptoir.asgi.application"

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
                "comptoir.storefront.context_processors.storefront",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'comptoir.sqlite3'}"),
        conn_max_age=int(os.environ.get("COMPTOIR_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL lets the storefront read while an import writes.
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# E-mail is unique ignoring case through a functional constraint, which this check cannot see.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
AUTHENTICATION_BACKENDS = ["comptoir.accounts.backends.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "storefront:login"
LOGIN_REDIRECT_URL = "storefront:home"
LOGOUT_REDIRECT_URL = "storefront:home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("COMPTOIR_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

# Background work (e-mails, price rebuilds): queued in the database and run by a worker,
# `comptoir db_worker` ("database", the default), or run at once in the process that queued
# it, after its transaction commits ("immediate": no worker to run, for small installs).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
COMPTOIR_TASKS_BACKEND = os.environ.get("COMPTOIR_TASKS_BACKEND", "database")
if COMPTOIR_TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"COMPTOIR_TASKS_BACKEND is {COMPTOIR_TASKS_BACKEND!r}: set it to "
        + " or ".join(TASK_BACKENDS)
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[COMPTOIR_TASKS_BACKEND], "QUEUES": ["default"]}}

MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "COMPTOIR_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
        ),
    },
}
DEFAULT_FROM_EMAIL = os.environ.get("COMPTOIR_FROM_EMAIL", "shop@comptoir.localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "comptoir": {
            "handlers": ["console"],
            "level": os.environ.get("COMPTOIR_LOG_LEVEL", "INFO"),
        }
    },
}

# The seller's brand, shown on every storefront page.
COMPTOIR_SHOP_NAME = os.environ.get("COMPTOIR_SHOP_NAME", "Comptoir")
COMPTOIR_LOGO_URL = os.environ.get("COMPTOIR_LOGO_URL", "")
COMPTOIR_PRIMARY_COLOR = os.environ.get("COMPTOIR_PRIMARY_COLOR", "#1f5f8b")
# Guests browse the catalog; prices are shown only to logged-in customer users unless this is on.
COMPTOIR_GUEST_PRICES = env_bool("COMPTOIR_GUEST_PRICES", False)
COMPTOIR_PAGE_SIZE = int(os.environ.get("COMPTOIR_PAGE_SIZE", "24"))
# The currency of the default website, used for guests and new price lists.
COMPTOIR_DEFAULT_CURRENCY = os.environ.get("COMPTOIR_DEFAULT_CURRENCY", "USD")
# How a buyer's chain of price lists gives one price: "merge_by_priority" (the first list of
# the chain that prices a tier wins) or "minimal_price" (the lowest price of the chain wins).
COMPTOIR_PRICE_STRATEGY = os.environ.get("COMPTOIR_PRICE_STRATEGY", "merge_by_priority")
if COMPTOIR_PRICE_STRATEGY not in ("merge_by_priority", "minimal_price"):
    raise ImproperlyConfigured(
        f"COMPTOIR_PRICE_STRATEGY is {COMPTOIR_PRICE_STRATEGY!r}: set it to "
        "merge_by_priority or minimal_price"
    )
# Prefix of order numbers placed in Comptoir; imported orders keep their own numbers.
COMPTOIR_ORDER_NUMBER_PREFIX = os.environ.get("COMPTOIR_ORDER_NUMBER_PREFIX", "CO")
# One shipping charge per order, in the order's currency; free-shipping promotions take it off.
COMPTOIR_SHIPPING_FLAT_RATE = Decimal(os.environ.get("COMPTOIR_SHIPPING_FLAT_RATE", "0"))
# Taxes: the seller's country (ISO 3166-1), which decides EU reverse charge, and the rounding of
# tax, "line" (each line's tax rounded, then added) or "total" (rounded once per rate).
COMPTOIR_SELLER_COUNTRY = os.environ.get("COMPTOIR_SELLER_COUNTRY", "FR").strip().upper()
COMPTOIR_TAX_ROUNDING = os.environ.get("COMPTOIR_TAX_ROUNDING", "line").strip().lower()
# Prefix of invoice numbers; each prefix has its own sequence without gaps.
COMPTOIR_INVOICE_NUMBER_PREFIX = os.environ.get("COMPTOIR_INVOICE_NUMBER_PREFIX", "INV")
# Account security: how long an invitation link works, and the throttling of failed logins
# (an account is locked by its tenth failure in a row; an address by failures beyond the limit).
COMPTOIR_INVITATION_DAYS = int(os.environ.get("COMPTOIR_INVITATION_DAYS", "7"))
COMPTOIR_LOGIN_LOCK_MINUTES = int(os.environ.get("COMPTOIR_LOGIN_LOCK_MINUTES", "15"))
COMPTOIR_LOGIN_ADDRESS_LIMIT = int(os.environ.get("COMPTOIR_LOGIN_ADDRESS_LIMIT", "50"))
# File drops: folders (SFTP or local) polled by `comptoir drops run|watch`, as JSON keyed by the
# drop's name; see comptoir/integration/drops.py and the README. Secrets stay in the environment.
COMPTOIR_FILE_DROPS = os.environ.get("COMPTOIR_FILE_DROPS", "")
# An import or export job writes a sign of life with each batch; a job still "running" with none
# for longer than this many seconds was stopped without finishing (its process killed, its
# machine restarted), and is ended "failed" when jobs are listed, by `comptoir drops run|watch`
# and by the worker. Keep it above the longest batch; on SQLite, above the longest validate-only
# or all-or-nothing run, which can write nothing until it ends.
try:
    COMPTOIR_TRANSFER_JOB_STALE_SECONDS = int(
        os.environ.get("COMPTOIR_TRANSFER_JOB_STALE_SECONDS", "600")
    )
except ValueError:
    COMPTOIR_TRANSFER_JOB_STALE_SECONDS = 0
if COMPTOIR_TRANSFER_JOB_STALE_SECONDS < 1:
    raise ImproperlyConfigured(
        "COMPTOIR_TRANSFER_JOB_STALE_SECONDS is "
        f"{os.environ.get('COMPTOIR_TRANSFER_JOB_STALE_SECONDS')!r}: set it to a whole number "
        "of seconds, at least 1 (default 600)"
    )
