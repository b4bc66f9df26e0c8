"""Moving orders over the API: the same state table and guards as the workstations."""

from __future__ import annotations

import pytest

from servicecenter.repairs.states import RepairState


def _move(api, who, order, **body):  # noqa: ANN001, ANN003, ANN202
    return api(who).post(f"/api/v1/repair-orders/{order.number}/transitions", json=body)


def test_an_engineer_takes_an_order_through_diagnosis_to_repair(api, world, session) -> None:  # noqa: ANN001
    order = world.msk_order
    started = _move(api, "engineer", order, to="diagnosis")
    assert started.status_code == 200 and started.get_json()["state"] == "diagnosis"
    repairing = _move(api, "engineer", order, to="in_repair", diagnosis="Засор насоса",
                      version=started.get_json()["version"])
    body = repairing.get_json()
    assert repairing.status_code == 200 and body["state"] == "in_repair" and body["diagnosis"] == "Засор насоса"
    last = body["history"][-1]
    assert (last["kind"], last["from"], last["to"]) == ("state", "diagnosis", "in_repair")
    assert last["details"]["action"] == "start_repair"
    session.refresh(order)
    assert order.state == RepairState.IN_REPAIR


def test_a_move_the_table_does_not_list_is_409_naming_current_and_allowed(api, world) -> None:  # noqa: ANN001
    response = _move(api, "engineer", world.msk_order, to="issued")
    assert response.status_code == 409
    body = response.get_json()
    assert body["type"] == "urn:servicecenter:problem:state-conflict"
    assert body["current"] == "received" and body["allowed"] == ["diagnosis"]


def test_an_outdated_version_is_409_and_nothing_moves(api, world) -> None:  # noqa: ANN001
    response = _move(api, "engineer", world.msk_order, to="diagnosis", version=world.msk_order.version - 1)
    assert response.status_code == 409 and response.get_json()["type"] == "urn:servicecenter:problem:conflict"
    assert api("engineer").get(f"/api/v1/repair-orders/{world.msk_order.number}").get_json()["state"] == "received"


def test_a_role_the_edge_does_not_name_is_403(api, world) -> None:  # noqa: ANN001
    response = _move(api, "call_center", world.msk_order, to="diagnosis")
    assert response.status_code == 403
    assert api("admin").get(f"/api/v1/repair-orders/{world.msk_order.number}").get_json()["state"] == "received"


def test_staff_of_another_center_are_refused(api, world) -> None:  # noqa: ANN001
    # our own engineer sees the partner's order (network staff read it) but does not work on it
    assert _move(api, "engineer", world.ekb_order, to="diagnosis").status_code == 403


@pytest.mark.parametrize("body,field", [
    ({"to": "cancelled"}, "reason"),
    ({"to": "mended"}, "to"),
    ({}, "to"),
    ({"to": "cancelled", "reason": ["a"]}, "reason"),
    ({"to": "diagnosis", "version": "2"}, "version"),
])
def test_missing_or_wrong_fields_are_422(api, world, body, field) -> None:  # noqa: ANN001
    response = api("intake").post(f"/api/v1/repair-orders/{world.msk_order.number}/transitions", json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_a_partner_works_its_own_order(api, world) -> None:  # noqa: ANN001
    assert _move(api, "partner", world.ekb_order, to="diagnosis").get_json()["state"] == "diagnosis"
    estimate = _move(api, "partner", world.ekb_order, to="awaiting_approval", estimate_total="abc")
    assert estimate.status_code == 422 and "estimate_total" in estimate.get_json()["errors"]
    sent = _move(api, "partner", world.ekb_order, to="awaiting_approval", estimate_total=4500, diagnosis="ТЭН")
    assert sent.status_code == 200 and sent.get_json()["state"] == "awaiting_approval"


def test_paid_work_end_to_end_and_the_hand_back_takes_the_payment(api, world) -> None:  # noqa: ANN001
    order = world.ekb_order
    for body in ({"to": "diagnosis"}, {"to": "awaiting_approval", "estimate_total": "4500", "diagnosis": "ТЭН"},
                 {"to": "in_repair", "via": "phone"},
                 {"to": "ready_for_pickup", "outcome": "repaired", "outcome_note": "Заменён ТЭН"}):
        response = _move(api, "partner", order, **body)
        assert response.status_code == 200, response.get_json()
    unpaid = _move(api, "partner", order, to="issued")
    assert unpaid.status_code == 422
    assert set(unpaid.get_json()["errors"]) == {"amount_paid", "payment_method"}
    issued = _move(api, "partner", order, to="issued", amount_paid=4500, payment_method="card")
    assert issued.status_code == 200 and issued.get_json()["state"] == "issued"
    assert issued.get_json()["issued_at"] is not None
    assert _move(api, "partner", order, to="issued").status_code == 409
