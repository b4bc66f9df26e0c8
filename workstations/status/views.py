"""Status page views: count the lookup, check the form, verify number and digits, show what is public."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request
from flask_babel import gettext as _

from servicecenter import throttle
from servicecenter.errors import ValidationFailed
from servicecenter.knowledge.queries import list_public_for_order
from servicecenter.repairs.lookup import (
    find_order_for_customer,
    parse_order_number,
    public_status,
    rate_repair,
)
from servicecenter.repairs.models import RepairOrder
from servicecenter.scoping import NETWORK, set_scope
from workstations.status import bp
from workstations.status.forms import LookupForm, RateForm
from workstations.status.words import day, say
from workstations.web.access import public
from workstations.web.dbsession import db
from workstations.web.errors import translate

# Lookups and ratings together, per client address: a person needs a few, a guesser many.
LOOKUP_LIMIT = 10
LOOKUP_WINDOW = timedelta(minutes=10)
THROTTLE_SCOPE = "status"


@bp.before_request
def _network_scope() -> None:
    # The page proves the customer by number and digits, not by login: a partner's login
    # session in the same browser must not change what it finds.
    set_scope(db(), NETWORK)


def _page(status: int = 200, **context: object) -> tuple[str, int]:
    context.setdefault("form", LookupForm(formdata=None))
    return render_template("status/index.html", say=say, day=day, **context), status


def _over_limit() -> bool:
    return throttle.hit(db(), THROTTLE_SCOPE, request.remote_addr or "unknown", LOOKUP_LIMIT, LOOKUP_WINDOW)


def _too_many() -> tuple[str, int, dict[str, str]]:
    body, _status = _page(message=_("Too many lookups from your address. Try again in %(minutes)s minutes.",
                                    minutes=int(LOOKUP_WINDOW.total_seconds() // 60)), form=None)
    return body, 429, {"Retry-After": str(int(LOOKUP_WINDOW.total_seconds()))}


def _not_found() -> tuple[str, int]:
    # One answer for a wrong number and a wrong phone, and a blank form: nothing typed is echoed,
    # so the two cannot be told apart.
    return _page(message=_("We found no order with this number and these phone digits. Check the number on "
                           "your work order and the last four digits of the phone you gave us."))


def _result(order: RepairOrder, status: int = 200, **context: object) -> tuple[str, int]:
    rate_form = RateForm(formdata=None, number=order.number, last_four=context.pop("last_four"))
    articles = list_public_for_order(db(), order, order.customer)  # the knowledge base (issue 12)
    return _page(status, found=public_status(db(), order), rate_form=rate_form, articles=articles, **context)


@bp.route("/status", methods=["GET", "POST"])
@public()
def lookup() -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    """Order number + the last four digits of the customer's phone → where the order stands."""
    if request.method == "GET":
        # A label's QR code opens this page with the number filled in; the digits stay the proof.
        number = parse_order_number((request.args.get("number") or "")[:40]) or ""
        return _page(form=LookupForm(formdata=None, number=number))
    if _over_limit():
        return _too_many()
    form = LookupForm()
    if not form.validate():
        return _page(422, form=form)
    digits = (form.last_four.data or "").strip()
    order = find_order_for_customer(db(), form.number.data, digits)
    if order is None:
        return _not_found()
    return _result(order, last_four=digits)


@bp.route("/status/rate", methods=["POST"])
@public()
def rate() -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    """The customer rates a handed-back repair once (1–5 and a comment); number and digits are checked again."""
    if _over_limit():
        return _too_many()
    form = RateForm()
    valid = form.validate()
    digits = (form.last_four.data or "").strip()
    proved = not (form.number.errors or form.last_four.errors)
    order = find_order_for_customer(db(), form.number.data, digits) if proved else None
    if order is None:
        return _not_found()
    if not valid:
        problems = [str(e) for name in ("rating", "comment") for e in getattr(form, name).errors]
        return _result(order, 422, last_four=digits, rating_error="; ".join(problems))
    try:
        rate_repair(db(), order, form.rating.data, form.comment.data or "")
    except ValidationFailed as exc:
        return _result(order, 422, last_four=digits, rating_error=translate(exc))
    return _result(order, last_four=digits, thanks=True)
