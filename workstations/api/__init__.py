"""The JSON API (/api/v1): Bearer tokens, problem+json errors, the same domain operations as the
workstations. Access is declared per route like everywhere else; the session cookie never counts here
(workstations/web/auth_session.py), so there is no CSRF to check."""

from __future__ import annotations

from flask import Blueprint

from servicecenter.accounts.roles import STAFF_ROLES
from servicecenter.errors import DomainError
from workstations.api.payload import refuse_nul_in_url
from workstations.api.problems import Problem, from_domain, from_problem
from workstations.web.access import Reads, blueprint_policy
from workstations.web.security import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
blueprint_policy(bp, STAFF_ROLES, reads=Reads.CENTER)
csrf.exempt(bp)
bp.register_error_handler(Problem, from_problem)
bp.register_error_handler(DomainError, from_domain)
bp.before_request(refuse_nul_in_url)

from workstations.api import (  # noqa: E402, F401  (routes register on bp)
    admin_catalog,
    admin_centers,
    admin_deadlines,
    admin_users,
    admin_webhooks,
    attachments,
    bench,
    catalog,
    customers,
    documents,
    estimate,
    file_jobs,
    front_office,
    knowledge,
    maintenance,
    order_actions,
    orders,
    part_catalogue,
    parts,
    reports,
    settlement_cards,
    settlement_claims,
    settlements,
    shipments,
    shipments_more,
    spec,
    stock_counts,
    units,
    warehouse,
)
