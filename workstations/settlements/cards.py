"""Rate cards (head office only): the list, a new card, editing one. Blank line rows are ignored;
a few empty rows are always offered for new categories."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from servicecenter.accounts.roles import Role
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.errors import N_, NotFound, ValidationFailed
from servicecenter.settlements import queries
from servicecenter.settlements.models import RateCard
from servicecenter.settlements.rates import create_rate_card, list_rate_cards, update_rate_card
from workstations.settlements import bp
from workstations.settlements.forms import BASIS_LABELS, KIND_LABELS, PARTS_LABELS, RateCardForm
from workstations.web.access import allow
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import translate

SPARE_ROWS = 3


def _choices(form: RateCardForm) -> None:
    form.center_id.choices = [SelectChoice("", "—")] + [SelectChoice(str(c.id), f"{c.code} — {c.name}")
                                                        for c in queries.list_partner_centers(db())]
    form.manufacturer_id.choices = [SelectChoice("", "—")] + [SelectChoice(str(m.id), m.name) for m in db().scalars(
        select(Manufacturer).order_by(Manufacturer.name))]


def _spare_rows(form: RateCardForm) -> None:
    while len(form.lines) < len([e for e in form.lines if e.category.data or e.labour.data]) + SPARE_ROWS:
        form.lines.append_entry()


def _page(form: RateCardForm, title: str, status: int = 200, error: str | None = None) -> tuple[str, int]:
    _spare_rows(form)
    categories = list(db().scalars(select(ProductModel.category).distinct().order_by(ProductModel.category)))
    return render_template("settlements/card_form.html", form=form, title=title, error=error,
                           categories=categories), status


def _refused(form: RateCardForm, exc: ValidationFailed, title: str) -> tuple[str, int]:
    for name, message in exc.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*(field.errors if isinstance(field.errors, list) else []), _(message)]
    return _page(form, title, 422, translate(exc))


@bp.route("/rate-cards/")
@allow(Role.ADMIN)
def cards() -> str:
    return render_template("settlements/cards.html", cards=list_rate_cards(db()), KIND_LABELS=KIND_LABELS,
                           BASIS_LABELS=BASIS_LABELS, PARTS_LABELS=PARTS_LABELS)


@bp.route("/rate-cards/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def card_new() -> Any:
    form = RateCardForm()
    _choices(form)
    title = _("New rate card")
    if form.is_submitted():
        if not form.validate():
            return _page(form, title, 422, _("Check the marked fields; nothing was saved."))
        try:
            card = create_rate_card(db(), actor(), **form.service_values())
        except ValidationFailed as exc:
            db().rollback()
            return _refused(form, exc, title)
        flash(_("Rate card valid from %(day)s saved.", day=card.valid_from.strftime("%d.%m.%Y")), "success")
        return redirect(url_for("settlements.cards"), 303)
    return _page(form, title)


@bp.route("/rate-cards/<int:card_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def card_edit(card_id: int) -> Any:
    card = db().get(RateCard, card_id)
    if card is None:
        raise NotFound(N_("No such rate card"))
    form = RateCardForm()
    if not form.is_submitted():
        form = RateCardForm(data={
            "kind": card.kind.value, "center_id": str(card.center_id or ""),
            "manufacturer_id": str(card.manufacturer_id or ""), "valid_from": card.valid_from.isoformat(),
            "labour_basis": card.labour_basis.value, "hourly_rate": str(card.hourly_rate),
            "travel_allowance": str(card.travel_allowance), "parts_basis": card.parts_basis.value,
            "vat_rate": str(card.vat_rate), "note": card.note,
            "lines": [{"category": line.category, "labour": str(line.labour)} for line in card.lines]})
    _choices(form)
    title = _("Rate card valid from %(day)s", day=card.valid_from.strftime("%d.%m.%Y"))
    if form.is_submitted():
        if not form.validate():
            return _page(form, title, 422, _("Check the marked fields; nothing was saved."))
        try:
            update_rate_card(db(), actor(), card, **form.service_values())
        except ValidationFailed as exc:
            db().rollback()
            return _refused(form, exc, title)
        flash(_("Rate card saved. Open statements and claims take it when they are re-priced."), "success")
        return redirect(url_for("settlements.cards"), 303)
    return _page(form, title)
