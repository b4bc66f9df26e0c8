"""The app factory: the composition root that wires the domain to the workstations."""

from __future__ import annotations

from typing import Any

from flask import Flask

from servicecenter.config import PROJECT_ROOT, Settings
from servicecenter.db import Database
from servicecenter.jobs.dispatch import Dispatcher


def create_app(settings: Settings | None = None, overrides: dict[str, Any] | None = None,
               database: Database | None = None) -> Flask:
    """Build the Flask app from settings (default: the environment)."""
    import servicecenter.models  # noqa: F401  (all models mapped)
    from workstations import register_workstations
    from workstations.web import init_web

    settings = settings or Settings.from_env()
    app = Flask(
        "servicecenter",
        root_path=str(PROJECT_ROOT),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(settings.instance_path),
    )
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(
        SECRET_KEY=settings.effective_secret_key(),
        DEBUG=settings.debug,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_NAME="sc_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,  # an intake may carry several 10 MB photos
        BABEL_DEFAULT_LOCALE="ru",
        BABEL_TRANSLATION_DIRECTORIES=str(PROJECT_ROOT / "translations"),
        SETTINGS=settings,
    )
    if overrides:
        app.config.update(overrides)
    database = database or Database(settings.database_url, principal_ttl=settings.principal_cache_seconds)
    app.extensions["servicecenter.db"] = database
    app.extensions["servicecenter.jobs"] = Dispatcher(database, settings.redis_url)
    # Jobs run in-process (embedded mode) read the app's settings, not the environment's: the files
    # they make land where the app serves them from, and the mail goes through the app's server.
    database.session_factory.kw.setdefault("info", {})["settings"] = settings
    init_web(app)
    register_workstations(app)
    if settings.proxy_count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    return app
