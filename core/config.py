"""Configuration from the environment, with safe development defaults.

Every setting can be overridden by an environment variable of the same name, or by
the mapping passed to ``create_app(config=...)`` (tests do this).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

DEV_SECRET_KEY = "haat-development-secret-key-not-for-production"  # noqa: S105
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class InsecureConfiguration(RuntimeError):
    """Raised when a production app would start with development secrets."""


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the app configuration from the environment plus ``overrides``."""
    instance_dir = Path(os.environ.get("HAAT_INSTANCE_DIR", PROJECT_ROOT / "instance"))
    config: dict[str, Any] = {
        "HAAT_ENV": os.environ.get("HAAT_ENV", "development"),
        # The "haat" loggers' level; DEBUG adds a line per plugin loaded (web/logging_setup).
        "HAAT_LOG_LEVEL": os.environ.get("HAAT_LOG_LEVEL", "INFO"),
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance_dir / 'haat.db'}"
        ),
        "HAAT_INSTANCE_DIR": str(instance_dir),
        "HAAT_MEDIA_DIR": os.environ.get("HAAT_MEDIA_DIR", str(instance_dir / "media")),
        # URLs per sitemap file; bigger sitemaps become an index (the protocol allows 50,000).
        "HAAT_SITEMAP_LIMIT": _env_int("HAAT_SITEMAP_LIMIT", 45_000),
        # Built sitemaps, one copy per store and content version, shared by the workers
        # of a node (empty: <HAAT_INSTANCE_DIR>/sitemaps); a copy older than
        # HAAT_SITEMAP_MAX_AGE seconds is rebuilt in a job.
        "HAAT_SITEMAP_DIR": os.environ.get("HAAT_SITEMAP_DIR", ""),
        "HAAT_SITEMAP_MAX_AGE": _env_int("HAAT_SITEMAP_MAX_AGE", 3600),
        # Fingerprinted copies of the themes' static files, served at /assets/.
        "HAAT_ASSETS_DIR": os.environ.get("HAAT_ASSETS_DIR", str(instance_dir / "assets")),
        "HAAT_PLATFORM_DOMAIN": os.environ.get("HAAT_PLATFORM_DOMAIN", "localhost").lower(),
        # The port shoppers reach stores on, for links in messages sent outside a request
        # (order emails and SMS from the jobs worker): "8000" under `make run`, empty in
        # production behind a proxy on 80/443.
        "HAAT_PUBLIC_PORT": os.environ.get("HAAT_PUBLIC_PORT", "").strip(),
        # Custom domains: what the admin tells merchants to point DNS at. A subdomain gets
        # a CNAME to HAAT_DNS_CNAME_TARGET (empty: the store's <slug>.<platform domain>);
        # an apex domain gets A records to HAAT_DNS_A_RECORD (comma-separated IPs; empty:
        # "ask the platform operator"). "Check DNS" waits at most HAAT_DNS_TIMEOUT seconds.
        "HAAT_DNS_CNAME_TARGET": os.environ.get("HAAT_DNS_CNAME_TARGET", "").strip().lower(),
        "HAAT_DNS_A_RECORD": os.environ.get("HAAT_DNS_A_RECORD", "").strip(),
        "HAAT_DNS_TIMEOUT": _env_int("HAAT_DNS_TIMEOUT", 3),
        # Hours an unverified domain claim stays open for its DNS proof; after that it
        # lapses (core/admin/domain_claims.py). Unverified claims never block other stores.
        "HAAT_DOMAIN_PENDING_HOURS": _env_int("HAAT_DOMAIN_PENDING_HOURS", 72),
        # Carts untouched for this many days are deleted by the daily clean-up
        # (core/cart/expiry.py); the cart cookie itself lasts 60 days.
        "HAAT_CART_MAX_AGE_DAYS": _env_int("HAAT_CART_MAX_AGE_DAYS", 30),
        # Whole storefront pages kept per worker (0 turns the page cache off), and how
        # many seconds one may live at most.
        "HAAT_PAGE_CACHE_SIZE": _env_int("HAAT_PAGE_CACHE_SIZE", 2000),
        "HAAT_PAGE_CACHE_TTL": _env_int("HAAT_PAGE_CACHE_TTL", 60),
        # Finished responses for visitors without cookies, per process, in MB (0: off).
        "HAAT_SHARED_RESPONSE_MB": _env_int("HAAT_SHARED_RESPONSE_MB", 32),
        "HAAT_SEARCH_CACHE_SIZE": _env_int("HAAT_SEARCH_CACHE_SIZE", 500),
        "HAAT_SEARCH_CACHE_TTL": _env_int("HAAT_SEARCH_CACHE_TTL", 60),
        # Pages shared by the workers of a node, under each worker's own cache: "off",
        # or the SQLite file (empty: <HAAT_INSTANCE_DIR>/pages.db), and the most pages
        # it keeps (core/storefront/shared_pages.py).
        "HAAT_SHARED_PAGE_CACHE": os.environ.get("HAAT_SHARED_PAGE_CACHE", "").strip(),
        "HAAT_SHARED_PAGE_CACHE_SIZE": _env_int("HAAT_SHARED_PAGE_CACHE_SIZE", 20_000),
        "HAAT_TENANT_CACHE_TTL": _env_int("HAAT_TENANT_CACHE_TTL", 5),
        "HAAT_TENANT_CACHE_SIZE": _env_int("HAAT_TENANT_CACHE_SIZE", 10_000),
        # How many reverse proxies in front of gunicorn set X-Forwarded-For/-Proto.
        "HAAT_TRUSTED_PROXIES": _env_int("HAAT_TRUSTED_PROXIES", 0),
        # Plugins: comma-separated names switched on for new stores; Fernet keys for
        # plugin secrets (first encrypts, all decrypt); per-hook timing; circuit breaker.
        "HAAT_DEFAULT_PLUGINS": os.environ.get("HAAT_DEFAULT_PLUGINS", ""),
        "HAAT_SECRETS_KEYS": os.environ.get("HAAT_SECRETS_KEYS", ""),
        "HAAT_PLUGIN_TIMING": os.environ.get("HAAT_PLUGIN_TIMING", "") in ("1", "true", "yes"),
        "HAAT_PLUGIN_BREAKER_THRESHOLD": _env_int("HAAT_PLUGIN_BREAKER_THRESHOLD", 5),
        "HAAT_PLUGIN_BREAKER_WINDOW": _env_int("HAAT_PLUGIN_BREAKER_WINDOW", 300),
        "HAAT_PLUGIN_BREAKER_COOLDOWN": _env_int("HAAT_PLUGIN_BREAKER_COOLDOWN", 900),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        # Background jobs (core/jobs.py): sqlite (default), redis or immediate (tests).
        "HAAT_JOBS": os.environ.get("HAAT_JOBS", "sqlite"),
        "HAAT_JOB_RETRIES": _env_int("HAAT_JOB_RETRIES", 8),
        "HAAT_JOB_RETRY_DELAY": _env_int("HAAT_JOB_RETRY_DELAY", 15),
        # Fairness between stores (docs/operations.md, "Fairness between stores"): bulk
        # jobs one store may run at once; seconds its next one waits before trying again;
        # seconds after which the slot of a worker that died mid-job is free again.
        "HAAT_BULK_PER_STORE": _env_int("HAAT_BULK_PER_STORE", 1),
        "HAAT_BULK_WAIT": _env_int("HAAT_BULK_WAIT", 5),
        "HAAT_BULK_SLOT_TTL": _env_int("HAAT_BULK_SLOT_TTL", 3600),
        # Per-store budgets of expensive requests (core/web/budgets.py), in Flask-Limiter's
        # syntax, counted for the whole store whoever asks. A busy store never meets them.
        "HAAT_BUDGET_SEARCH": os.environ.get("HAAT_BUDGET_SEARCH", "1200 per minute"),
        # One client's share of a store's search budget, so one client alone cannot
        # use it up for every shopper of the store.
        "HAAT_BUDGET_SEARCH_CLIENT": os.environ.get("HAAT_BUDGET_SEARCH_CLIENT",
                                                    "120 per minute"),
        "HAAT_BUDGET_SITEMAP": os.environ.get("HAAT_BUDGET_SITEMAP", "10 per 10 minutes"),
        "HAAT_BUDGET_EXPORT": os.environ.get("HAAT_BUDGET_EXPORT", "20 per 10 minutes"),
        "HAAT_BUDGET_IMPORT": os.environ.get("HAAT_BUDGET_IMPORT", "20 per 10 minutes"),
        "HAAT_BUDGET_IMAGES": os.environ.get("HAAT_BUDGET_IMAGES", "120 per 10 minutes"),
        # Where rate-limit counts live (empty: see rate_limit_storage below).
        "RATELIMIT_STORAGE_URI": os.environ.get("HAAT_RATELIMIT_STORAGE", ""),
        "RATELIMIT_LOGIN": os.environ.get("HAAT_RATELIMIT_LOGIN", "10 per minute"),
        # "Forgot your password?" requests per store and client address.
        "RATELIMIT_FORGOT": os.environ.get("HAAT_RATELIMIT_FORGOT", "5 per 15 minutes"),
        # Password tries on a "coming soon" store's page, per store and client address.
        "RATELIMIT_STOREFRONT_PASSWORD": os.environ.get("HAAT_RATELIMIT_STOREFRONT_PASSWORD",
                                                        "10 per 10 minutes"),
        # Stores created from the sign-up page, per client address.
        "RATELIMIT_SIGNUP": os.environ.get("HAAT_RATELIMIT_SIGNUP", "3 per hour;10 per day"),
        # Different coupon codes tried at checkout, per cart and per client address
        # (each per store).
        "RATELIMIT_COUPON_CART": os.environ.get("HAAT_RATELIMIT_COUPON_CART", "10 per hour"),
        "RATELIMIT_COUPON_CLIENT": os.environ.get("HAAT_RATELIMIT_COUPON_CLIENT",
                                                  "20 per hour"),
        # The sign-up page's challenge (core/platform/challenge.py): a honeypot field and
        # a signed, one-time form token at least this many seconds old.
        "HAAT_SIGNUP_CHALLENGE": os.environ.get("HAAT_SIGNUP_CHALLENGE", "1") not in (
            "0", "false", "no"),
        "HAAT_SIGNUP_MIN_SECONDS": _env_int("HAAT_SIGNUP_MIN_SECONDS", 3),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Host-only cookies: no Domain attribute, so a store's cookie never reaches
        # another store's host. Never set this to the platform domain.
        "SESSION_COOKIE_DOMAIN": None,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # "Keep me signed in" lasts this long, and no admin session lasts longer; it ends
        # early on sign-out, a password change, "sign out everywhere" or removal
        # (sessions are kept on the server: core/staff/sessions.py).
        "REMEMBER_COOKIE_DURATION": timedelta(days=_env_int("HAAT_REMEMBER_DAYS", 30)),
        # An admin session unused this long ends (the "keep me signed in" cookie, if
        # chosen, starts a new one). At least 1.
        "HAAT_ADMIN_IDLE_MINUTES": _env_int("HAAT_ADMIN_IDLE_MINUTES", 120),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": "en",
        # Shoppers' strings; the admin has its own "admin" domain (core/admin/language.py).
        "BABEL_DOMAIN": "messages",
        "WTF_CSRF_TIME_LIMIT": None,
        # Largest request body (uploads): a bigger one is refused with 413 before it is read.
        "MAX_CONTENT_LENGTH": _env_int("HAAT_MAX_UPLOAD_BYTES", 16 * 1024 * 1024),
        # Multipart fields per request: a product with 100 variants and 30 images posts ~1,000.
        "MAX_FORM_PARTS": _env_int("HAAT_MAX_FORM_PARTS", 3000),
        # Largest product CSV the import accepts (a 5,000-row file is about 1-2 MB).
        "HAAT_IMPORT_MAX_BYTES": _env_int("HAAT_IMPORT_MAX_BYTES", 10 * 1024 * 1024),
        # Most pixels an uploaded image may have, read from its header before decoding
        # (50 MP takes a 48 MP phone photo, 8000 x 6000; core/catalog/images.py).
        "HAAT_MAX_IMAGE_PIXELS": _env_int("HAAT_MAX_IMAGE_PIXELS", 50_000_000),
        # Mail (core/mail.py, docs/emails.md):
        # "outbox" writes .eml files (an empty HAAT_OUTBOX_DIR means <instance dir>/outbox);
        # "smtp" sends through HAAT_SMTP_URL (smtp:// STARTTLS, smtps:// implicit TLS).
        "HAAT_MAIL": os.environ.get("HAAT_MAIL", "outbox"),
        "HAAT_OUTBOX_DIR": os.environ.get("HAAT_OUTBOX_DIR", ""),
        "HAAT_SMTP_URL": os.environ.get("HAAT_SMTP_URL", ""),
        "HAAT_SMTP_TIMEOUT": _env_int("HAAT_SMTP_TIMEOUT", 20),
        "HAAT_MAIL_FROM": os.environ.get("HAAT_MAIL_FROM", "Haat <no-reply@localhost>"),
        # SMS (core/messaging/sms.py, docs/messaging.md): a store with an SMS gateway
        # plugin on sends through it; otherwise "outbox" writes .sms files next to the
        # .eml files and "gateways" leaves the message unsent (logged as such).
        "HAAT_SMS": os.environ.get("HAAT_SMS", "outbox"),
    }
    if overrides:
        config.update(overrides)
    if "DATABASE_URL" in config:
        config["SQLALCHEMY_DATABASE_URI"] = config.pop("DATABASE_URL")
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    config["RATELIMIT_STORAGE_URI"] = rate_limit_storage(config)
    # Under TESTING a raising plugin fails the test, unless a test asks for isolation.
    if "HAAT_PLUGIN_ISOLATION" not in config:
        raw = os.environ.get("HAAT_PLUGIN_ISOLATION")
        config["HAAT_PLUGIN_ISOLATION"] = (
            raw in ("1", "true", "yes") if raw is not None else not config.get("TESTING")
        )
    production = config["HAAT_ENV"] == "production"
    config.setdefault("SESSION_COOKIE_SECURE", production)
    config.setdefault("REMEMBER_COOKIE_SECURE", production)
    config.setdefault("PREFERRED_URL_SCHEME", "https" if production else "http")
    check_production_safety(config)
    return config


def rate_limit_storage(config: dict[str, Any]) -> str:
    """Where rate-limit counts live: as configured, else Redis when ``REDIS_URL`` is set
    (every node shares it), else one SQLite file in the instance directory that every
    worker of this node shares (core/web/limit_storage.py). Never ``memory://`` by
    default: each worker would count on its own."""
    if config.get("RATELIMIT_STORAGE_URI"):
        return str(config["RATELIMIT_STORAGE_URI"])
    if config.get("REDIS_URL"):
        return str(config["REDIS_URL"])
    return f"haat-sqlite://{Path(config['HAAT_INSTANCE_DIR']) / 'ratelimits.db'}"


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgres://`` / ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def check_production_safety(config: dict[str, Any]) -> None:
    """Refuse to run production on development secrets or a throwaway database."""
    if config["HAAT_ENV"] != "production":
        return
    secret = config.get("SECRET_KEY") or ""
    if secret == DEV_SECRET_KEY or len(secret) < 32:
        raise InsecureConfiguration(
            "HAAT_ENV=production needs SECRET_KEY set to a random value of at least "
            "32 characters (for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
