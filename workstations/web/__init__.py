"""Web plumbing shared by every workstation: request session, access, errors, i18n, security."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from servicecenter.fields import MAX_ID
from workstations.web import access, auth_session, dbsession, errors, i18n, security


class IdConverter(IntegerConverter):
    """`<int:id>` up to the largest id a column holds: /orders/99999999999 is a 404, not a database error."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002, ANN001, ANN002, ANN003
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_web(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter  # before any blueprint's rules are made
    dbsession.init_app(app)
    auth_session.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    access.init_app(app)
    errors.init_app(app)
