"""Settings for the med spa front desk, read from the environment.

Every value has an embedded default that runs on one laptop with nothing else installed
(SQLite, a filesystem Celery broker, SMS printed to the console). Production sets
DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS, DEBUG=false and the TWILIO_* values.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))  # `make run` creates it and var/celery/*

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        # Never sign production sessions and patient links with a key published in the repository.
        raise ImproperlyConfigured("SECRET_KEY is not set: DEBUG=false needs a long random SECRET_KEY.")
    SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"  # noqa: S105 (DEBUG only)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Public https origin the clinic's site is reached at (used in SMS links and to check
# Twilio signatures, which are computed over the URL Twilio called, not the proxied one).
# Under `make run` it follows HOST and PORT, so text links and the dev phone reach this server.
PUBLIC_BASE_URL = env.str(
    "PUBLIC_BASE_URL", default=f"http://{env.str('HOST', default='127.0.0.1')}:{env.int('PORT', default=8000)}"
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_htmx",
    "phonenumber_field",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "medspa",
    "calls",
    "recall",
    "members",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "medspa.sessions.SessionLimitsMiddleware",
    "medspa.headers.PrivacyHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: refuses a locked-out login before the password is checked.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: counts failures, refuses locked-out logins
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "medspa.urls"
WSGI_APPLICATION = "medspa.wsgi.application"
AUTH_USER_MODEL = "medspa.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "medspa.twilio.alerts.messaging_alerts",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'medspa.sqlite3'}")}
# Persistent connections on PostgreSQL: each gunicorn sync worker keeps its connection for CONN_MAX_AGE
# seconds instead of connecting per request (a connection costs more than the webhook's one INSERT), and
# checks it is still alive before reusing it after an error. 0 connects per request (SQLite's default).
_is_sqlite = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if _is_sqlite else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
if _is_sqlite:
    # Several processes (web, worker, beat) share the file under `make run`.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
else:
    # psycopg prepares a statement on the server when the code asks (`prepare=True`: the sweep's two statements,
    # the webhook's insert), so it is parsed and planned once per connection. Django turns preparing off (None,
    # for connection poolers in transaction mode, which this project does not use), and then prepare=True does
    # nothing; a threshold no query reaches prepares only what asks.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
    # Those prepared statements get one generic plan, made once per connection: their inputs are JSON texts, ids
    # and a moment, nothing a plan for particular values does better with. (Only statements bound on the server
    # are planned from a cache; Django binds its own queries' values in the client, so this touches nothing else.)
    # The sweep's batch read then walks the due queue's index (recall_due_at_idx) in order whatever the table's
    # statistics say: statistics gathered while little was due would make a plan for the moment's value read
    # every due entry with a bitmap scan and sort them, in each batch.
    _options = DATABASES["default"]["OPTIONS"]
    _options["options"] = f"{_options.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared by every process of `make run` (rate limits must be shared to mean anything).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"  # stored times are UTC; each Location has its own zone for display and windows
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
PRIVATE_MEDIA_BACKEND = env.str("PRIVATE_MEDIA_BACKEND", default="django.core.files.storage.FileSystemStorage")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Patients' MMS photos: no URL serves them, only the audited inbox view. Local files under `make run`;
    # production may set PRIVATE_MEDIA_BACKEND to an S3-compatible storage (a private bucket).
    "private_media": {
        "BACKEND": PRIVATE_MEDIA_BACKEND,
        "OPTIONS": {"location": str(VAR_DIR / "private-media")} if "FileSystem" in PRIVATE_MEDIA_BACKEND else {},
    },
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND", default="django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="US")
PHONENUMBER_DB_FORMAT = "E164"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["medspa.permissions.IsClinicStaff"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}

# Celery: Redis in production and tests; an embedded filesystem broker for `make run`.
_broker_dir = VAR_DIR / "celery"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"
# Inbound texts have their own queue and worker (Procfile "inbound"): a patient's reply, and an emergency
# reply to a symptom, never wait behind thousands of queued recall sends on the default queue.
CELERY_TASK_ROUTES = {"recall.tasks.process_inbound": {"queue": "inbound"}}

# Seconds between inbox refreshes in the browser (htmx polling).
INBOX_POLL_SECONDS = env.int("INBOX_POLL_SECONDS", default=10)

# SMS and voice. SMS_BACKEND is "console" (print, send nothing) or "twilio".
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
if SMS_BACKEND == "console" and not TWILIO_AUTH_TOKEN:
    # Nothing is sent from the console; the dev phone signs its replies with this so they take the
    # same signed webhook path as Twilio's. A real deployment sets its own token and SMS_BACKEND=twilio.
    TWILIO_AUTH_TOKEN = "dev-phone-console-only"  # noqa: S105 (never a real credential)
# Point the official client somewhere else (a local fake in tests); https://api.twilio.com in production.
TWILIO_API_BASE = env.str("TWILIO_API_BASE", default="https://api.twilio.com").rstrip("/")
TWILIO_DEFAULT_FROM = env.str("TWILIO_DEFAULT_FROM", default="")
# Messages per second the sender may send (Twilio long codes: 1/s; toll-free and short codes more).
# Who answers STOP/START/HELP: "twilio" (Twilio's default or Advanced Opt-Out replies; the app stays
# silent for those keywords) or "app" (turn Twilio's replies off; the app confirms once).
TWILIO_KEYWORD_REPLIES = env.str("TWILIO_KEYWORD_REPLIES", default="twilio")
SMS_RATE_PER_SECOND = env.float("SMS_RATE_PER_SECOND", default=1.0)

if env.bool("BEHIND_HTTPS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Sessions: logged off after SESSION_IDLE_SECONDS without a request from the person (background polls do
# not count) and SESSION_COOKIE_AGE after login whatever the activity (medspa/sessions.py).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=15 * 60)

# Login throttling (django-axes): the 11th wrong password in a row for a user from one address is refused
# without being checked, for AXES_COOLOFF_MINUTES; a successful login resets the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Password reset links go out by email (console under `make run`).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="frontdesk@localhost")
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
OTP_TOTP_ISSUER = "Med spa front desk"

# Headers: no inline script anywhere (htmx and Chart.js come from static/); style attributes are allowed
# for computed colours (heat maps). Permissions-Policy and Cache-Control: medspa/headers.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
RATELIMIT_USE_CACHE = "default"
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] if not REDIS_URL else []

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # The twilio library logs a dozen INFO lines per API request (URL, query parameters, headers): noise, and
    # query parameters can hold a patient's number. Its warnings and errors still show.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "twilio.http_client": {"level": "WARNING"}},
}

# The feature apps plug into the core by name: medspa imports none of them (docs/architecture.md).
# The patient page's app panels: functions (patient, user) -> template context.
PATIENT_PANELS = ["members.views.patient_panel_context", "recall.patient_panel.patient_recall_context"]
# The owner dashboard's app sections (medspa/dashboards/sections.py says what a module may provide).
DASHBOARD_SECTIONS = ["calls.metrics", "members.metrics", "recall.metrics"]
# A patient's member figures, for staff (inbox items, call summaries) and for a verified caller
# (medspa/member_figures.py).
MEMBER_FIGURES = "members.figures"
# Days the dashboards' daily rollup keeps per location (the filter allows 366; older ranges count live).
DASHBOARD_ROLLUP_DAYS = 400

# Periodic tasks: each is a sweep that reads what the database says is due, safe to rerun.
CELERY_BEAT_SCHEDULE: dict = {
    # members: end/thaw first, then grant the day's cycles, then expire what is due. Hourly, so each
    # location's calendar day is picked up soon after its midnight; every run is idempotent.
    "members-roll-memberships": {"task": "members.tasks.roll_memberships", "schedule": 3600.0},
    "members-accrue-credits": {"task": "members.tasks.accrue_credits", "schedule": 3600.0},
    "members-expire-credits": {"task": "members.tasks.expire_credits", "schedule": 3600.0},
    # calls: summarise and hand off calls whose end was missed (lost status callback or task).
    "calls-finalize-stale": {"task": "calls.tasks.finalize_stale_calls", "schedule": 300.0},
    # Recall: advance schedules whose next action time has come, write touches, re-queue the outbox.
    "recall-sweep": {"task": "recall.tasks.sweep", "schedule": 300.0},
    # History imports whose worker died (no heartbeat for minutes): resume them, or fail after 3 tries.
    "recall-recover-imports": {"task": "recall.tasks.recover_imports", "schedule": 60.0},
    # Twilio: probe each sender paused by an account/sender error; resume sending when it works.
    "twilio-probe-paused-senders": {"task": "medspa.twilio.tasks.probe_paused_senders", "schedule": 60.0},
    # Member touchpoints (renewal, expiring credits, bundles) into the recall outbox; hourly, idempotent.
    "recall-member-touchpoints": {"task": "recall.tasks.member_touchpoints", "schedule": 3600.0},
    # Dashboards: store the figures of ended days (medspa/dashboards/rollup.py); a batch per run, idempotent.
    "dashboards-roll-up": {"task": "medspa.tasks.roll_up_dashboards", "schedule": 300.0},
}
