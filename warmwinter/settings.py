"""The one settings module. Everything that differs between machines comes from the environment
(see README, "Configuration")."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from warmwinter.config import (
    ConfigError,
    env_bool,
    env_int,
    env_list,
    env_retired,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
_secret = env_secret("SECRET_KEY")
if not _secret:
    if not DEBUG and env_str("WARMWINTER_ENV", "dev") == "production":
        raise ConfigError("SECRET_KEY (or SECRET_KEY_FILE) must be set in production")
    _secret = "dev-only-insecure-key-change-me"  # noqa: S105 - only outside production
SECRET_KEY = _secret
# Key of the ID-number search digest (people.idnumbers): set it in production so that rotating
# SECRET_KEY does not break exact ID search.
PEOPLE_ID_HASH_KEY = env_secret("PEOPLE_ID_HASH_KEY") or ""
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "warmwinter.core",
    "warmwinter.places",
    "warmwinter.accounts",
    "warmwinter.weather",
    "warmwinter.leads",
    "warmwinter.dispatch",
    "warmwinter.people",
    "warmwinter.stations",
    "warmwinter.supplies",
    "warmwinter.patrols",
    "warmwinter.notifications",
    "warmwinter.audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "warmwinter.core.middleware.RefuseUnusableInputMiddleware",  # after the language and user
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "warmwinter.audit.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "warmwinter.urls"
WSGI_APPLICATION = "warmwinter.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "warmwinter" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "warmwinter.core.context_processors.site",
            ],
        },
    },
]

# SQLite is the embedded default so a newcomer runs everything with one command;
# PostgreSQL (DATABASE_URL=postgres://…) is production and is tested in CI.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'warmwinter.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # WAL + a busy timeout let the web server and the task worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # A file (not :memory:) so that threads and processes in tests see one database; one per
    # process so that two test runs on one machine do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "warmwinter" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
# Front-end libraries come from npm (package.json) at install time, never pasted into the repo.
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/leaflet", _NODE / "leaflet" / "dist"),
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/echarts", _NODE / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = BASE_DIR / "var" / "media"
MEDIA_URL = "media/"

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # PDF rendering logs every glyph list and layout step at INFO: noise, not events.
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# --- warmwinter ---------------------------------------------------------------------------
# Map tiles: a Tianditu or city tile URL template; empty means the map draws without tiles.
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")
# The h3 resolution at which places are indexed (9 ≈ 0.1 km² cells, ~175 m edge).
H3_RESOLUTION = env_int("H3_RESOLUTION", 9, minimum=0)
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "warmwinter-demo")
HOTLINE_NUMBER = env_str("HOTLINE_NUMBER", "")
# Dotted path of the SMS gateway class for urgent notifications (see notifications/sms.py).
NOTIFY_SMS_BACKEND = env_str("NOTIFY_SMS_BACKEND", "")
# Web Push (RFC 8030 + VAPID RFC 8292) to the patrol app when a lead is dispatched: the VAPID
# private key (PEM, or base64url of the raw key) from the environment or *_FILE; the public key
# (base64url, uncompressed point) is derived from it when not set; the subject is the contact
# the push services see (mailto: or https:).
PUSH_VAPID_PRIVATE_KEY = env_secret("PUSH_VAPID_PRIVATE_KEY") or ""
PUSH_VAPID_PUBLIC_KEY = env_str("PUSH_VAPID_PUBLIC_KEY", "")
PUSH_VAPID_SUBJECT = env_str("PUSH_VAPID_SUBJECT", "mailto:warmwinter@localhost")
# Outside production, with no key set, a development key is generated at first use into this
# file (var/ is never deployed). In production it is off: no key, no push (the phones then get
# SMS for urgent leads only, and the 「开启接单提醒」 button is not shown).
PUSH_VAPID_DEV_KEY_FILE = (
    str(BASE_DIR / "var" / "vapid-dev-private.pem")
    if env_bool("PUSH_VAPID_GENERATE", env_str("WARMWINTER_ENV", "dev") != "production")
    else ""
)
# The push services a subscription may name (a host or its parent domain): the server POSTs to
# the endpoint a phone sends, so any other host is refused rather than fetched (no request to a
# place of the sender's choosing). The browsers' own services by default.
PUSH_SERVICE_HOSTS = env_list(
    "PUSH_SERVICE_HOSTS",
    [
        "fcm.googleapis.com",
        "push.services.mozilla.com",
        "notify.windows.com",
        "push.apple.com",
    ],
)
# Push endpoints must be https; tests and bench/alert.py allow a local http endpoint.
PUSH_ALLOW_LOCAL_ENDPOINTS = env_bool("PUSH_ALLOW_LOCAL_ENDPOINTS", False)
# Seconds a push service keeps an undelivered alert (RFC 8030 TTL) and waits for our POST.
PUSH_TTL_S = env_int("PUSH_TTL_S", 600, minimum=0)
PUSH_TIMEOUT_S = env_int("PUSH_TIMEOUT_S", 10, minimum=1)
# Periodic work enqueued by `manage.py run_schedule`: (task, every N seconds).
PERIODIC_TASKS = [
    ("warmwinter.leads.tasks.escalate_overdue_leads", env_int("ESCALATION_EVERY_S", 60, minimum=5)),
    # a dispatched lead not accepted in time: alert the team again, then back to the board
    ("warmwinter.leads.tasks.chase_unaccepted_leads", env_int("ESCALATION_EVERY_S", 60, minimum=5)),
    ("warmwinter.weather.tasks.refresh_levels", env_int("WEATHER_REFRESH_EVERY_S", 300, minimum=5)),
    ("warmwinter.weather.tasks.poll_weather_feed", env_int("WEATHER_POLL_EVERY_S", 300, minimum=5)),
    (
        "warmwinter.patrols.tasks.escalate_overdue_follow_ups",
        env_int("FOLLOW_UP_ESCALATION_EVERY_S", 300, minimum=5),
    ),
    (
        "warmwinter.supplies.tasks.review_supply_reserves",
        env_int("SUPPLIES_REVIEW_EVERY_S", 900, minimum=60),
    ),
    (
        "warmwinter.stations.tasks.review_station_care",
        env_int("STATIONS_REVIEW_EVERY_S", 900, minimum=60),
    ),
]
# Folder of the Noto Sans SC font for PDF forms; empty = node_modules/@expo-google-fonts/noto-sans-sc.
STATIONS_PDF_FONT_DIR = env_str("STATIONS_PDF_FONT_DIR", "")
# Largest photo accepted from anyone (a lead's, an encounter's, a family inquiry's), in bytes.
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 8 * 1024 * 1024, minimum=1024)
# How far a partner platform's stated `received_at` may lie from our clock (seconds): ahead by
# clock skew at most, behind by the longest backlog it may replay. Operational tolerances of a
# partner's push, not numbers of the notice, so settings rather than the rulebook.
LEADS_RECEIVED_AT_MAX_AHEAD_S = env_int("LEADS_RECEIVED_AT_MAX_AHEAD_S", 5 * 60, minimum=0)
LEADS_RECEIVED_AT_MAX_AGE_S = env_int("LEADS_RECEIVED_AT_MAX_AGE_S", 24 * 3600, minimum=60)
# The anonymous channels (public page, Open311): (posts, seconds) per client address.
LEADS_PUBLIC_RATE = (
    env_int("LEADS_PUBLIC_RATE_LIMIT", 10, minimum=1),
    env_int("LEADS_PUBLIC_RATE_WINDOW_S", 600, minimum=1),
)
# Seconds that hot reads are kept in the cache (0 = not cached). Each is cleared at once where
# this process makes the change; another process sees it within the TTL.
LEADS_LOCATOR_TTL_S = env_int("LEADS_LOCATOR_TTL_S", 30, minimum=0)  # places index (locator)
DISPATCH_AUTO_CACHE_S = env_int("DISPATCH_AUTO_CACHE_S", 5, minimum=0)  # auto-dispatch switch
API_TOKEN_CACHE_S = env_int("API_TOKEN_CACHE_S", 10, minimum=0)  # an API token's user
WEATHER_EFFECTS_CACHE_S = env_int("WEATHER_EFFECTS_CACHE_S", 10, minimum=0)  # level effects
# The response level (0 常态 … 5 I级) assumed for every district until warnings set one.
WEATHER_DEFAULT_LEVEL = env_int("WEATHER_DEFAULT_LEVEL", 0, minimum=0)
# CAP feed polled by `weather_refresh --poll` / the poll_weather_feed task; empty = no polling.
WEATHER_FEED_URL = env_str("WEATHER_FEED_URL", "")
# Variables that once set a number of the notice: those are rules of the rulebook now.
env_retired("PATROL_CHECKIN_RADIUS_M", now_in="the rule patrols.checkin_radius (core/rulebook)")
env_retired(
    "SUPPLIES_EXPIRY_WARNING_DAYS", now_in="the rule supplies.expiry_warning (core/rulebook)"
)
