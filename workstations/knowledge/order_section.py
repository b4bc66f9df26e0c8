"""The order page's "Knowledge base" section (templates/knowledge/_order_section.html): the articles for
the unit's model and the diagnosis being recorded, with how often that fault was repaired."""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user

from servicecenter.knowledge import queries, services
from servicecenter.repairs.models import RepairOrder
from workstations.engineer.panel import order_diagnosis
from workstations.knowledge import bp
from workstations.knowledge.forms import ActionForm
from workstations.web.auth_session import reader
from workstations.web.dbsession import db


@dataclass(frozen=True)
class KnowledgePanel:
    suggestions: list[queries.Suggestion]
    can_draft: bool  # the order has a coded diagnosis and this user may write it up
    form: ActionForm | None

    @property
    def shown(self) -> bool:
        return bool(self.suggestions or self.can_draft)


@bp.app_template_global()
def knowledge_panel(order: RepairOrder) -> KnowledgePanel:
    """Suggested articles for the order, as the logged-in user may see them, and the draft button."""
    if not current_user.is_authenticated:
        return KnowledgePanel([], False, None)
    me = reader()  # what it may read and write: role, center and id, no User to load
    session = db()
    diagnosis = order_diagnosis(order)  # the bench section read it already
    suggestions = queries.list_order_suggestions(session, me, order, diagnosis=diagnosis)
    can_draft = (services.can_write(me) and (me.works_network_wide or me.center_id == order.center_id)
                 and diagnosis is not None)
    return KnowledgePanel(suggestions, can_draft, ActionForm() if can_draft else None)
