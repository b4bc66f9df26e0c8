"""Files made in the background (bulk labels, large exports): progress, then the download.

Every role may have such files; each sees its own and its center's (the services decide), and a
partner's session is walled to its center besides.
"""

from __future__ import annotations

from flask import Blueprint

from servicecenter.accounts.roles import STAFF_ROLES
from workstations.web.access import blueprint_policy

bp = Blueprint("files", __name__, url_prefix="/files")
blueprint_policy(bp, STAFF_ROLES)

from workstations.files import views  # noqa: E402, F401  (routes register on bp)
