"""Outbound webhooks: subscriptions of vendor systems, their deliveries, replay and a test event."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectChoice, SelectField, StringField, URLField
from wtforms.validators import DataRequired, Length

from servicecenter.catalog.models import Manufacturer
from servicecenter.centers.models import ServiceCenter
from servicecenter.errors import N_, ValidationFailed
from servicecenter.repairs.states import RepairState
from servicecenter.webhooks import services
from servicecenter.webhooks.models import WebhookDelivery, WebhookSubscription
from workstations import labels
from workstations.admin import bp
from workstations.admin.forms import MultiCheckboxField, ServiceForm, optional_int
from workstations.admin.views import form_page, get_or_404, refused, submitted_status
from workstations.web.auth_session import actor
from workstations.web.dbsession import db

Page = tuple[str, int]


class SubscriptionForm(ServiceForm):
    service_fields = ("name", "url", "on_created", "on_state_changed", "states", "only_manufacturer_id",
                      "only_center_id", "active")

    name = StringField(_l("Name"), [DataRequired(), Length(max=120)],
                       description=_l("Whose system this is, e.g. the manufacturer's service portal."))
    url = URLField(_l("Receiver address"), [DataRequired(), Length(max=500)],
                   description=_l("An http:// or https:// address; events are POSTed to it as signed JSON."))
    on_created = BooleanField(_l("Order created"), default=True)
    on_state_changed = BooleanField(_l("Order state changed"), default=True)
    states = MultiCheckboxField(_l("Only when the order enters"), choices=lambda: [
        SelectChoice(s.value, labels.STATE[s]) for s in RepairState],
        description=_l("None ticked: every state change."))
    only_manufacturer_id = SelectField(_l("Only orders of the brand"), coerce=optional_int, choices=[],
                                  description=_l("A manufacturer's system should get only its own brand's orders."))
    only_center_id = SelectField(_l("Only orders of the center"), coerce=optional_int, choices=[])
    active = BooleanField(_l("Active"), default=True,
                          description=_l("An inactive subscription gets nothing, and its retries stop."))


class ActionForm(FlaskForm):
    """A button: only the CSRF token."""


def _subscription_form(**kwargs: object) -> SubscriptionForm:
    form = SubscriptionForm(**kwargs)
    form.only_manufacturer_id.choices = [SelectChoice("", _("any brand"))] + [
        SelectChoice(m.id, m.name) for m in db().scalars(select(Manufacturer).order_by(Manufacturer.name))]
    form.only_center_id.choices = [SelectChoice("", _("any center"))] + [
        SelectChoice(c.id, f"{c.code} {c.name}") for c in db().scalars(select(ServiceCenter).order_by(ServiceCenter.code))]
    return form


def _subscription(subscription_id: int) -> WebhookSubscription:
    return get_or_404(WebhookSubscription, subscription_id, N_("No such webhook subscription"))


@bp.route("/webhooks/")
def webhooks() -> str:
    return render_template("admin/webhooks.html", subscriptions=services.list_subscriptions(db()))


@bp.route("/webhooks/new", methods=["GET", "POST"])
def webhook_new() -> Response | Page:
    form = _subscription_form()
    page = {"title": _("New webhook subscription"), "cancel": url_for("admin.webhooks")}
    if form.validate_on_submit():
        try:
            subscription = services.create_subscription(db(), actor(), **form.service_values())
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("Subscription %(name)s created. Give its signing secret to the receiver.", name=subscription.name),
              "success")
        return redirect(url_for("admin.webhook", subscription_id=subscription.id))
    return form_page(form, status=submitted_status(form), **page)


@bp.route("/webhooks/<int:subscription_id>/edit", methods=["GET", "POST"])
def webhook_edit(subscription_id: int) -> Response | Page:
    subscription = _subscription(subscription_id)
    form = _subscription_form(obj=subscription)
    page = {"title": subscription.name, "cancel": url_for("admin.webhook", subscription_id=subscription.id)}
    if form.validate_on_submit():
        try:
            services.update_subscription(db(), actor(), subscription, **form.service_values())
        except ValidationFailed as exc:
            return refused(form, exc, **page)
        flash(_("Subscription %(name)s saved.", name=subscription.name), "success")
        return redirect(url_for("admin.webhook", subscription_id=subscription.id))
    return form_page(form, status=submitted_status(form), **page)


@bp.route("/webhooks/<int:subscription_id>")
def webhook(subscription_id: int) -> str:
    subscription = _subscription(subscription_id)
    return render_template("admin/webhook.html", subscription=subscription, form=ActionForm(),
                           deliveries=services.list_deliveries(db(), subscription))


def _back(subscription_id: int) -> Response:
    return redirect(url_for("admin.webhook", subscription_id=subscription_id), 303)


@bp.route("/webhooks/<int:subscription_id>/test", methods=["POST"])
def webhook_test(subscription_id: int) -> Response:
    subscription = _subscription(subscription_id)
    if ActionForm().validate_on_submit():
        services.send_test_event(db(), actor(), subscription)
        flash(_("A test event was queued; its result is in the list below."), "success")
    return _back(subscription.id)


@bp.route("/webhooks/<int:subscription_id>/rotate", methods=["POST"])
def webhook_rotate(subscription_id: int) -> Response:
    subscription = _subscription(subscription_id)
    if ActionForm().validate_on_submit():
        services.rotate_secret(db(), actor(), subscription)
        flash(_("A new signing secret was made; the old one no longer verifies. Give the new one to the receiver."),
              "success")
    return _back(subscription.id)


@bp.route("/webhooks/deliveries/<int:delivery_id>/replay", methods=["POST"])
def webhook_replay(delivery_id: int) -> Response:
    delivery = get_or_404(WebhookDelivery, delivery_id, N_("No such webhook delivery"))
    if ActionForm().validate_on_submit():
        services.replay_delivery(db(), actor(), delivery)
        flash(_("Delivery %(id)s is being sent again.", id=delivery.id), "success")
    return _back(delivery.subscription_id)
