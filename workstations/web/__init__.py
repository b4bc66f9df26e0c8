"""Web plumbing shared by every workstation: request session, access, errors, i18n, security."""

from __future__ import annotations

from flask import Flask

from workstations.web import access, auth_session, dbsession, errors, i18n, security


def init_web(app: Flask) -> None:
    dbsession.init_app(app)
    auth_session.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    access.init_app(app)
    errors.init_app(app)
