"""Bawaba settings: one file, everything that differs between machines read from the environment.

Embedded default: SQLite + SqliteHuey + local-memory cache, no other server needed.
Production: DATABASE_URL (PostgreSQL), REDIS_URL (jobs, cache, rate limits), SECRET_KEY, ALLOWED_HOSTS.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
VAR_DIR = Path(os.environ.get("BAWABA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # local database, job queue, uploads, retrained models


def _local_secret_key(path: Path) -> str:
    """The embedded default's key: made once per checkout, readable by its owner only, and the same for
    every process (web, worker, commands), since sessions and signed links must survive a restart."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        import secrets

        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    for _attempt in range(50):  # another process may have created the file and not written it yet
        key = path.read_text().strip()
        if key:
            return key
        import time

        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty: delete it or set SECRET_KEY")


# Production sets SECRET_KEY in the environment (`check --deploy` warns otherwise: bawaba.W001).
SECRET_KEY_FROM_ENVIRONMENT = bool(os.environ.get("SECRET_KEY"))
SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key(VAR_DIR / "secret_key")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

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
    "ninja",  # its Swagger UI files served from here, not from a CDN (the Content-Security-Policy allows 'self' only)
    "axes",
    "csp",
    "huey.contrib.djhuey",
    "bawaba.core",
    "bawaba.geo",
    "bawaba.accounts",
    "bawaba.orgs",
    "bawaba.servicedesk",
    "bawaba.routing",
    "bawaba.knowledge",
    "bawaba.portal",
    "bawaba.desk",
    "bawaba.api",
    "bawaba.channels",
    "bawaba.deployments",
    "bawaba.notifications",
    "bawaba.postal",
    "bawaba.evidence",
    "bawaba.lifeproof",
    "bawaba.hybridmail",
    "bawaba.ops",
    # --- tmf-open311: the standard interfaces (docs/standards.md)
    "bawaba.tmf621",
    "bawaba.open311",
    # --- end tmf-open311
    "bawaba.voice",  # telephony: IVR, call queues, wallboard, staffing (docs/voice.md)
    "bawaba.privacy",  # personal data: register, retention, citizens' requests, access log
    "bawaba.live",  # server push (docs/live.md)
    "bawaba.demo",  # last: demo data may use every app above
]

MIDDLEWARE = [
    "bawaba.ops.observability.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "bawaba.core.middleware.refuse_nul_bytes",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    # Logs staff access to pages that show citizens' personal data (bawaba.privacy): one insert per such page.
    "bawaba.privacy.middleware.log_personal_data_access",
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # last: it times everything above
]
RATELIMIT_VIEW = "bawaba.core.views.rate_limited"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bawaba.core.context_processors.platform",
            ],
        },
    },
]

# --- Database: SQLite (WAL, immediate transactions) unless DATABASE_URL says otherwise.
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", VAR_DIR / "bawaba.sqlite3"))
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    postgres = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if postgres and envbool("DATABASE_PREPARED_STATEMENTS", True):
        # Parameters bound by the server, and a statement run 5 times on a connection is prepared: the hot
        # queries (the desk's poll, sessions, users) are planned once per connection instead of every time.
        # Set DATABASE_PREPARED_STATEMENTS=0 behind a pooler that cannot keep prepared statements.
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
    DATABASES["default"].setdefault("TEST", {})
    if os.environ.get("TEST_DATABASE_NAME"):
        DATABASES["default"]["TEST"]["NAME"] = os.environ["TEST_DATABASE_NAME"]
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # synchronous=FULL: a commit is on disk before the citizen gets a reference (NORMAL may lose
                # the last commits on a power cut, which "never lose an acknowledged request" forbids).
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, jobs and rate limits: Redis when REDIS_URL is set, in-process otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "bawaba.core.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# locmem counts per process: right for the single-process embedded default (documented in docs/operations.md).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

HUEY_IMMEDIATE = envbool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "bawaba.ops.observability.RedisHuey",  # carries request ids into jobs
        "name": "bawaba",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": envint("HUEY_WORKERS", 2), "periodic": True},
    }
else:
    HUEY = {
        "huey_class": "bawaba.ops.observability.SqliteHuey",
        "name": "bawaba",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        # An idle worker looks at the queue at least every HUEY_MAX_DELAY seconds (huey's default, 10 s, would
        # leave evidence unstamped that long after a quiet spell; RedisHuey blocks on the queue instead).
        "consumer": {"workers": envint("HUEY_WORKERS", 2), "periodic": True,
                     "max_delay": float(os.environ.get("HUEY_MAX_DELAY", "0.5"))},
    }

AUTH_USER_MODEL = "accounts.User"
# The model backend, reading signed-in accounts through the cache (bawaba.accounts.backends).
# django-axes first: it refuses a locked-out sign-in before the password is even checked (docs/operations.md).
AUTHENTICATION_BACKENDS = ["bawaba.accounts.backends.ThrottledSignIn", "bawaba.accounts.backends.CachedModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "portal:home"

# --- Languages: French first (the operators' working language), Arabic (right to left), English.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Algerian formats in every language: day-first dates, 24-hour time, 1 250,00 (docs/conventions.md).
FORMAT_MODULE_PATH = ["bawaba.core.formats"]
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Africa/Algiers")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even when serving from finders
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# Uploads: refuse early, check type by content (bawaba.core.uploads).
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
# Images are decoded only up to this many pixels (decompression bombs, bawaba.core.uploads): 50 million takes in
# the 48-megapixel photos of recent phones.
IMAGE_MAX_PIXELS = envint("IMAGE_MAX_PIXELS", 50_000_000)

EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bawaba@localhost")

# Sessions in the database, read through the cache: an agent's poll every 2 s costs no session query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- HTTPS (docs/operations.md). The embedded default answers plain HTTP on 127.0.0.1, with DEBUG off too: so
# HTTPS=1 says "this deployment is served over TLS" and turns on the production defaults below; each can still be
# set on its own. Behind a proxy that terminates TLS, name the header it sets:
# SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https (only if the proxy always sets or strips that header).
HTTPS = envbool("HTTPS", False)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer's plain-HTTP health check
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    _header, _, _value = os.environ["SECURE_PROXY_SSL_HEADER"].partition(",")
    SECURE_PROXY_SSL_HEADER = (_header.strip(), _value.strip() or "https")
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Content-Security-Policy on every page (django-csp): scripts and styles from our own static files only, no
# inline script, no framing. Photos previewed before an offline upload are blob: URLs; Leaflet and Swagger use data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# --- Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one address,
# that pair is locked out for AXES_COOLOFF_MINUTES (429, bawaba.accounts.views.locked_out); a good sign-in resets.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "bawaba.accounts.views.locked_out"
AXES_VERBOSE = False
# The address django-ratelimit counts by too (RATELIMIT_IP_META_KEY behind a proxy).
AXES_CLIENT_IP_CALLABLE = "bawaba.accounts.backends.client_ip"
# API tokens: this many refused tokens from one address, then 429 until the window ends (bawaba.api.auth).
API_TOKEN_FAILURE_RATE = os.environ.get("API_TOKEN_FAILURE_RATE", "20/5m")

# Platform knobs.
ROUTING_CONFIDENCE_THRESHOLD = float(os.environ.get("ROUTING_CONFIDENCE_THRESHOLD", "0.45"))
ROUTING_MODEL_PATH = Path(os.environ.get("ROUTING_MODEL_PATH", VAR_DIR / "routing" / "model.joblib"))
PUBLIC_FORM_RATE = os.environ.get("PUBLIC_FORM_RATE", "10/m")
# Behind a reverse proxy every citizen would share the proxy's address: name the header it sets.
if os.environ.get("RATELIMIT_IP_META_KEY"):
    RATELIMIT_IP_META_KEY = os.environ["RATELIMIT_IP_META_KEY"]
# A poll starts this long after the previous list was swapped in: a new request shows 1 s later on average, at
# most this plus a round trip. Polling faster (1.75 s, 1.5 s) missed the 480-agent load target on 2 cores
# (docs/desk.md); a bigger machine can afford it.
DESK_POLL_SECONDS = float(os.environ.get("DESK_POLL_SECONDS", 2))
# Shared secret the SMS/USSD gateways send in X-Gateway-Token; the webhooks refuse everything without it.
CHANNEL_GATEWAY_TOKEN = os.environ.get("CHANNEL_GATEWAY_TOKEN", "")

# --- Notifications to citizens (docs/notifications.md). SMS_PROVIDER: outbox (recorded only), kannel or http.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")  # the portal's address in messages
NOTIFICATION_CALLBACK_BASE_URL = os.environ.get("NOTIFICATION_CALLBACK_BASE_URL", "")  # how gateways reach us
SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "outbox")
SMS_SENDER = os.environ.get("SMS_SENDER", "Bawaba")
KANNEL_SENDSMS_URL = os.environ.get("KANNEL_SENDSMS_URL", "http://127.0.0.1:13013/cgi-bin/sendsms")
KANNEL_USERNAME = os.environ.get("KANNEL_USERNAME", "")
KANNEL_PASSWORD = os.environ.get("KANNEL_PASSWORD", "")
SMS_HTTP_URL = os.environ.get("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = os.environ.get("SMS_HTTP_TOKEN", "")
NOTIFICATION_DLR_TOKEN = os.environ.get("NOTIFICATION_DLR_TOKEN", "")  # secret in delivery-report callbacks
NOTIFICATION_MAX_ATTEMPTS = envint("NOTIFICATION_MAX_ATTEMPTS", 6)
NOTIFICATION_RETRY_BASE_SECONDS = envint("NOTIFICATION_RETRY_BASE_SECONDS", 60)
NOTIFICATION_RETRY_MAX_SECONDS = envint("NOTIFICATION_RETRY_MAX_SECONDS", 3600)
NOTIFICATION_SEND_AT_ONCE = envbool("NOTIFICATION_SEND_AT_ONCE", True)  # a task after each commit, besides the sweep

# --- Evidence (docs/evidence.md): sealed, time-stamped, hash-chained records kept EVIDENCE_RETENTION_DAYS.
EVIDENCE_ISSUER_NAME = os.environ.get("EVIDENCE_ISSUER_NAME", "Bawaba")
EVIDENCE_RETENTION_DAYS = envint("EVIDENCE_RETENTION_DAYS", 3653)  # 10 years
# The seal: a factory returning a Sealer (bawaba.evidence.sealing); the default reads a PEM key (Ed25519 or
# ECDSA P-256) from EVIDENCE_SEAL_KEY (the PEM itself) or EVIDENCE_SEAL_KEY_PATH, made there if missing.
EVIDENCE_SEALER = os.environ.get("EVIDENCE_SEALER", "bawaba.evidence.sealing.file_sealer")
EVIDENCE_SEAL_KEY = os.environ.get("EVIDENCE_SEAL_KEY", "")
EVIDENCE_SEAL_KEY_PATH = Path(os.environ.get("EVIDENCE_SEAL_KEY_PATH", VAR_DIR / "evidence" / "seal-key.pem"))
EVIDENCE_SEAL_CERT_PATH = os.environ.get("EVIDENCE_SEAL_CERT_PATH", "")
EVIDENCE_TRUSTED_SEAL_KEYS = envlist("EVIDENCE_TRUSTED_SEAL_KEYS")  # former seal keys (PEM files), after a change
# The time-stamping authority (RFC 3161). Unset: the embedded local authority, NOT QUALIFIED, whose key and
# certificates are made under EVIDENCE_LOCAL_TSA_DIR. Set it to a qualified TSA's URL in production.
EVIDENCE_TSA_URL = os.environ.get("EVIDENCE_TSA_URL", "")
EVIDENCE_TSA_USERNAME = os.environ.get("EVIDENCE_TSA_USERNAME", "")
EVIDENCE_TSA_PASSWORD = os.environ.get("EVIDENCE_TSA_PASSWORD", "")
EVIDENCE_TSA_TIMEOUT = float(os.environ.get("EVIDENCE_TSA_TIMEOUT", "10"))
EVIDENCE_TSA_TRUST_ROOTS = envlist("EVIDENCE_TSA_TRUST_ROOTS")  # PEM files of the roots whose tokens are accepted
EVIDENCE_TSA_RETRY_SECONDS = envint("EVIDENCE_TSA_RETRY_SECONDS", 1)  # then 2, 4... at most 300 s
EVIDENCE_LOCAL_TSA_DIR = Path(os.environ.get("EVIDENCE_LOCAL_TSA_DIR", VAR_DIR / "evidence" / "tsa"))
EVIDENCE_BATCH_WINDOW_MS = envint("EVIDENCE_BATCH_WINDOW_MS", 250)  # records of one window share one token
EVIDENCE_STAMP_AT_ONCE = envbool("EVIDENCE_STAMP_AT_ONCE", True)  # a task after each commit, besides the sweep
# The stamper started by that task keeps looking this long after its last record (one worker thread meanwhile).
EVIDENCE_STAMPER_LINGER_SECONDS = float(os.environ.get("EVIDENCE_STAMPER_LINGER_SECONDS", "5"))
EVIDENCE_UPLOAD_MAX_BYTES = envint("EVIDENCE_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)

# Logs: one line per record with the request id (bawaba.ops.observability); LOG_FORMAT=json for a log collector.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "bawaba.ops.observability.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
                 "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": "json" if LOG_FORMAT == "json" else "text"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"bawaba": {"level": os.environ.get("LOG_LEVEL", "INFO")}},
}

# --- Health, metrics and errors (docs/operations.md)
HEALTH_WORKER_STALE_SECONDS = envint("HEALTH_WORKER_STALE_SECONDS", 180)
HEALTH_MAX_PENDING_JOBS = envint("HEALTH_MAX_PENDING_JOBS", 5000)
HEALTH_READY_REQUIRES_WORKER = envbool("HEALTH_READY_REQUIRES_WORKER", False)
# /metrics: with a token, only "Authorization: Bearer <token>"; without one, only from this machine (loopback).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
BACKUP_SQLITE_TIMEOUT = envint("BACKUP_SQLITE_TIMEOUT", 300)  # seconds to get a consistent copy of SQLite
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "")
SENTRY_RELEASE = os.environ.get("SENTRY_RELEASE", "")

# --- Fibre billing: late-payment interest = Bank of Algeria key rate + 1 point (docs/deployments.md), or a
# rate set outright for a deployment whose contracts say otherwise.
FIBRE_CENTRAL_BANK_KEY_RATE = os.environ.get("FIBRE_CENTRAL_BANK_KEY_RATE", "0.03")
FIBRE_LATE_INTEREST_RATE = os.environ.get("FIBRE_LATE_INTEREST_RATE") or None

# Postal webhooks: subscribers' URLs that resolve to private, loopback or link-local addresses are refused
# (a subscriber must not make the platform call into the internal network) unless this is set.
WEBHOOK_ALLOW_PRIVATE_NETWORKS = envbool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", False)

# --- tmf-open311: TMF621 listeners and Open311 (docs/standards.md)
# Schemes a TMF621 listener's callback may use (http only for tests and internal listeners); private
# addresses are refused unless WEBHOOK_ALLOW_PRIVATE_NETWORKS (bawaba.postal.webhooks.private_address).
TMF621_CALLBACK_SCHEMES = tuple(envlist("TMF621_CALLBACK_SCHEMES") or ("https", "http"))
TMF621_MAX_LISTENERS = envint("TMF621_MAX_LISTENERS", 20)  # per organisation
TMF621_TIMEOUT = float(os.environ.get("TMF621_TIMEOUT", "10"))  # seconds per notification POST
# Open311 GeoReport v2: what a list of requests may span and hold.
OPEN311_MAX_DAYS = envint("OPEN311_MAX_DAYS", 90)
OPEN311_MAX_RESULTS = envint("OPEN311_MAX_RESULTS", 1000)
# Interfaces with an error format of their own: their 404 for addresses refused before routing (core.middleware).
NOT_FOUND_VIEWS = {"/tmf-api/": "bawaba.tmf621.views.not_found", "/open311/": "bawaba.open311.views.not_found"}
# --- end tmf-open311
# --- Telephony (bawaba.voice, docs/voice.md) ----------------------------------------------------------------
# The provider's callbacks carry no signature: the callback URL holds this secret (/voice/at/<secret>/), and
# VOICE_CALLBACK_NETWORKS (comma-separated CIDRs, the provider's published addresses) narrows who may call it.
VOICE_CALLBACK_SECRET = os.environ.get("VOICE_CALLBACK_SECRET", "")
VOICE_CALLBACK_NETWORKS = envlist("VOICE_CALLBACK_NETWORKS")
VOICE_AT_USERNAME = os.environ.get("VOICE_AT_USERNAME", "")
VOICE_AT_API_KEY = os.environ.get("VOICE_AT_API_KEY", "")
VOICE_AT_CALL_URL = os.environ.get("VOICE_AT_CALL_URL", "https://voice.africastalking.com/call")
VOICE_AT_TRANSFER_URL = os.environ.get("VOICE_AT_TRANSFER_URL", "https://voice.africastalking.com/callTransfer")
VOICE_PROVIDER_TIMEOUT = float(os.environ.get("VOICE_PROVIDER_TIMEOUT", 5))
VOICE_OFFER_TIMEOUT_SECONDS = envint("VOICE_OFFER_TIMEOUT_SECONDS", 30)
VOICE_WRAPUP_MAX_SECONDS = envint("VOICE_WRAPUP_MAX_SECONDS", 300)
VOICE_VOICEMAIL_MAX_SECONDS = envint("VOICE_VOICEMAIL_MAX_SECONDS", 120)
VOICE_RECORDING_MAX_BYTES = envint("VOICE_RECORDING_MAX_BYTES", 5 * 1024 * 1024)
VOICE_RECORDING_HOSTS = envlist("VOICE_RECORDING_HOSTS")  # empty: any host (the secret URL is the guard)
VOICE_POLL_SECONDS = float(os.environ.get("VOICE_POLL_SECONDS", 2))

# --- Personal data (bawaba.privacy, docs/privacy.md) ---
# Closed service-desk requests are anonymised this many years after closing; the text of SMS and e-mails in
# the outbox is blanked this many days after it was queued. Proof-of-life frames: LIFEPROOF_FRAME_RETENTION_DAYS.
PRIVACY_REQUEST_YEARS = envint("PRIVACY_REQUEST_YEARS", 5)
PRIVACY_MESSAGE_BODY_DAYS = envint("PRIVACY_MESSAGE_BODY_DAYS", 180)
# --- Server push (docs/live.md): desk screens are updated over Server-Sent Events when served by an ASGI server
# (config/asgi.py); under WSGI the stream answers 204 and pages keep polling. LIVE_BACKEND: "postgres"
# (LISTEN/NOTIFY; the default on PostgreSQL) or "polling" (the events table read every LIVE_POLL_SECONDS by one
# listener per process; the default on SQLite, where events of the same process are delivered at once).
LIVE_ENABLED = envbool("LIVE_ENABLED", True)
LIVE_BACKEND = os.environ.get("LIVE_BACKEND", "")
LIVE_POLL_SECONDS = float(os.environ.get("LIVE_POLL_SECONDS", 0.5))
# At most one rendering of a desk list every LIVE_RENDER_INTERVAL seconds while its queue keeps changing (docs/desk.md).
LIVE_RENDER_INTERVAL = float(os.environ.get("LIVE_RENDER_INTERVAL", 0.5))
