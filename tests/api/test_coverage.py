"""Every operation of the workstations has its endpoint in the API (issue 8: "covers every operation
that exists; every later operation gets its endpoint in the same change").

Each web route that writes (POST, PUT, PATCH, DELETE) is mapped here to the API operation that does
the same through the same service, or to the reason it has none. A new writing route without an entry
fails this test, and so does an entry naming an operation the OpenAPI document does not have.
"""

from __future__ import annotations

from servicecenter.app import create_app
from workstations.api.spec import build_spec

WRITES = {"POST", "PUT", "PATCH", "DELETE"}

# web endpoint -> the API's operationId(s), or a reason (a sentence) why there is none
COVERED: dict[str, tuple[str, ...] | str] = {
    # administration
    "admin.center_new": ("createServiceCenter",), "admin.center_edit": ("updateServiceCenter",),
    "admin.location_new": ("createLocation",), "admin.location_edit": ("updateLocation",),
    "admin.checklist_new": ("createChecklistItem",), "admin.checklist_edit": ("updateChecklistItem",),
    "admin.code_new": ("createDiagnosisCode",), "admin.code_edit": ("updateDiagnosisCode",),
    "admin.deadline_new": ("createDeadlineRule",), "admin.deadline_edit": ("updateDeadlineRule",),
    "admin.deadline_calendar": ("addCalendarDay",), "admin.deadline_day_delete": ("removeCalendarDay",),
    "admin.job_retry": ("retryJob",), "admin.job_queue_retry": ("retryQueueJob",),
    "admin.manufacturer_new": ("createManufacturerRecord",),
    "admin.manufacturer_edit": ("updateManufacturerRecord",),
    "admin.model_new": ("createProductModelRecord",), "admin.model_edit": ("updateProductModelRecord",),
    "admin.price_new": ("createLabourItem",), "admin.price_edit": ("updateLabourItem",),
    "admin.user_new": ("createUser",), "admin.user_edit": ("updateUser",),
    "admin.user_password": ("setUserPassword",),
    "admin.webhook_new": ("createWebhook",), "admin.webhook_edit": ("updateWebhook",),
    "admin.webhook_rotate": ("rotateWebhookSecret",), "admin.webhook_test": ("testWebhook",),
    "admin.webhook_replay": ("replayWebhookDelivery",),
    "partner.team_new": ("createUser",), "partner.team_edit": ("updateUser",),
    "partner.team_password": ("setUserPassword",),
    # call center, customers, intake
    "call_center.note": ("addCallNote",), "call_center.new_visit": ("preRegisterVisit",),
    "customers.edit": ("editCustomer",),
    "intake.new": ("createRepairOrder",), "intake.complete": ("completeVisit",),
    "intake.issue": ("issueRepairOrder",),
    # the order page
    "orders.assign": ("assignRepairOrder",), "orders.comment": ("commentRepairOrder",),
    "orders.transition": ("transitionRepairOrder",), "orders.route": ("routeRepairOrder",),
    "orders.estimate_add_line": ("addEstimateLine",), "orders.estimate_remove_line": ("removeEstimateLine",),
    "orders.estimate_send": ("sendEstimate",), "orders.estimate_answer": ("answerEstimate",),
    "orders.estimate_warranty": ("reviseWarranty",),
    "orders.parts_reserve": ("reserveOrderParts",), "orders.parts_issue": ("issueReservation",),
    "orders.parts_release": ("releaseReservation",), "orders.parts_keep_defective": ("keepDefectivePart",),
    "attachments.upload": ("uploadPhotos",), "attachments.upload_documents": ("uploadDocuments",),
    # the bench
    "engineer.take": ("takeRepairOrder",), "engineer.diagnosis": ("recordDiagnosis",),
    "engineer.checklist": ("tickChecklistItem",), "engineer.log_work": ("logWork",),
    "engineer.finish": ("finishRepairOrder",), "engineer.parts": ("recordPartSwap",),
    "engineer.part_photos": ("uploadPartPhotos",),
    # the team lead
    "team_lead.bulk": ("assignRepairOrder", "setRepairOrderPriority", "routeRepairOrder", "exportRepairOrders"),
    "team_lead.maintenance_new": ("createMaintenancePlan",), "team_lead.maintenance_edit": ("updateMaintenancePlan",),
    "team_lead.maintenance_deactivate": ("deactivateMaintenancePlan",),
    "team_lead.maintenance_unit_date": ("recordUnitDate",),
    # knowledge base
    "knowledge.new": ("createKnowledgeArticle",), "knowledge.edit": ("editKnowledgeArticle",),
    "knowledge.set_state": ("setKnowledgeArticleState",), "knowledge.rollback": ("rollbackKnowledgeArticle",),
    "knowledge.upload": ("addKnowledgeArticleFiles",), "knowledge.from_order": ("draftKnowledgeArticleFromOrder",),
    # logistics
    "logistics.create": ("createShipment",), "logistics.scan": ("addShipmentItem",),
    "logistics.remove": ("removeShipmentItem",), "logistics.dispatch": ("dispatchShipment",),
    "logistics.cancel": ("cancelShipment",), "logistics.receive": ("receiveShipment",),
    "logistics.resolve": ("resolveShipmentItem",), "logistics.complete": ("completeShipmentReceipt",),
    "logistics.unit_labels": ("requestShipmentUnitLabels",), "logistics.work_orders": ("requestShipmentWorkOrders",),
    # warehouse
    "warehouse.receive": ("receiveIntoWarehouse",), "warehouse.put_away": ("putAway",),
    "warehouse.add_shelf": ("addShelf",), "warehouse.issue": ("issueScannedPart",),
    "warehouse.part_new": ("createPart",), "warehouse.part_edit": ("changePart",),
    "warehouse.start_count": ("startStockCount",), "warehouse.count_scan": ("scanStockCount",),
    "warehouse.count_line": ("correctStockCountLine",), "warehouse.confirm_count": ("confirmStockCount",),
    "warehouse.cancel_count": ("cancelStockCount",),
    # reports and settlements
    "reports.export_orders": ("exportRepairOrders",),
    "settlements.claim_submit": ("submitClaim",), "settlements.claim_verdict": ("recordClaimVerdict",),
    "settlements.claim_reprice": ("repriceClaim",), "settlements.claim_pay": ("payClaim",),
    "settlements.claim_ship": ("shipClaimDefectiveParts",),
    "settlements.statement_approve": ("approveStatement",), "settlements.statement_dispute": ("disputeStatementLine",),
    "settlements.statement_settle": ("settleStatementLine",), "settlements.statement_pay": ("payStatement",),
    "settlements.statement_reprice": ("repriceStatement",),
    "settlements.card_new": ("createRateCard",), "settlements.card_edit": ("changeRateCard",),
    # none, by design
    "auth.login": "A token is the API's login.",
    "auth.logout": "A token is revoked on the profile page or expires with its user.",
    "auth.language": "Answers speak the token user's language (their profile's).",
    "auth.token_new": "Tokens are made with `servicecenter create-token` or on the profile page, never by a token.",
    "auth.token_revoke": "Revoked on the profile page (a token does not revoke tokens).",
    "status.lookup": "The customer's public status page, not a staff operation.",
    "status.rate": "The customer's own rating on the status page; the counter's is POST …/handover.",
}


def test_every_writing_route_of_the_workstations_has_its_api_operation(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("SERVICECENTER_DEBUG", "1")
    monkeypatch.setenv("SERVICECENTER_INSTANCE", str(tmp_path))
    app = create_app()
    writing = {rule.endpoint for rule in app.url_map.iter_rules()
               if rule.methods & WRITES and not rule.endpoint.startswith(("api.", "static"))}
    operations = {op["operationId"] for item in build_spec()["paths"].values() for op in item.values()}
    assert writing - set(COVERED) == set(), "writing routes with no API operation (add one, or a reason)"
    assert set(COVERED) - writing == set(), "entries for routes that no longer exist"
    named = {op for target in COVERED.values() if isinstance(target, tuple) for op in target}
    assert named - operations == set(), "operations not in the OpenAPI document"
    reasons = [target for target in COVERED.values() if isinstance(target, str)]
    assert all(reason.endswith(".") and len(reason) > 20 for reason in reasons)
