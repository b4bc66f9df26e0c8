"""Shipments over the API: open, fill by scanning, dispatch, receive by codes — the logistics rules."""

from __future__ import annotations

from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason


def _at_warehouse(session, world, *orders) -> list[str]:  # noqa: ANN001
    """Put the orders' units on the MSK main warehouse (where logistics ships from); their serials."""
    wh = next(loc for loc in world.msk.locations if loc.is_main)
    for order in orders:
        if order.unit.location_id != wh.id:
            journal.move_unit(session, None, order.unit, wh, MoveReason.INTAKE)
    session.flush()
    return [o.unit.serial for o in orders]


def _open(api, who="logistics", **body):  # noqa: ANN001, ANN003, ANN202
    return api(who).post("/api/v1/shipments", json={"from": "MSK", "to": "EKB", **body})


def test_a_shipment_from_open_to_received(api, world, factory, session) -> None:  # noqa: ANN001
    second = factory.order(world.msk)
    first_serial, second_serial = _at_warehouse(session, world, world.msk_order, second)
    opened = _open(api, note="Срочно")
    assert opened.status_code == 201, opened.get_json()
    shipment = opened.get_json()
    number = shipment["number"]
    assert (shipment["state"], shipment["from"], shipment["to"], shipment["items"]) == ("open", "MSK-WH", "EKB-WH", [])
    added = api("logistics").post(f"/api/v1/shipments/{number}/items", json={"code": first_serial.lower()})
    assert added.status_code == 201 and added.get_json()["added"] is True
    line = added.get_json()["items"][0]
    assert isinstance(line.pop("id"), int)
    assert line == {"kind": "unit", "code": first_serial, "order": world.msk_order.number,
                    "quantity": 1, "received": 0, "state": "packed", "note": ""}
    again = api("logistics").post(f"/api/v1/shipments/{number}/items", json={"code": world.msk_order.number})
    assert again.status_code == 200 and again.get_json()["added"] is False and len(again.get_json()["items"]) == 1
    assert api("logistics").post(f"/api/v1/shipments/{number}/items", json={"code": second_serial}).status_code == 201
    nameless = api("logistics").post(f"/api/v1/shipments/{number}/dispatch", json={})
    assert nameless.status_code == 422 and "carrier" in nameless.get_json()["errors"]
    sent = api("logistics").post(f"/api/v1/shipments/{number}/dispatch",
                                 json={"carrier": "ПЭК", "tracking": "PEK-123", "places": 2})
    assert sent.status_code == 200 and sent.get_json()["state"] == "dispatched"
    assert sent.get_json()["tracking"] == "PEK-123" and sent.get_json()["dispatched_at"] is not None
    # the partner at the other end sees the packing list and receives one of the two
    assert api("partner").get(f"/api/v1/shipments/{number}").get_json()["state"] == "dispatched"
    received = api("partner").post(f"/api/v1/shipments/{number}/receive", json={"codes": [first_serial]})
    assert received.status_code == 200, received.get_json()
    body = received.get_json()
    assert (body["accepted"], body["missing"], body["unexpected"]) == ([first_serial], [second_serial], [])
    assert body["state"] == "received"
    twice = api("partner").post(f"/api/v1/shipments/{number}/receive", json={"codes": [second_serial]})
    assert twice.status_code == 409


def test_unknown_places_and_codes_are_422(api, world) -> None:  # noqa: ANN001
    nowhere = _open(api, to="ZZZ")
    assert nowhere.status_code == 422 and set(nowhere.get_json()["errors"]) == {"to"}
    number = _open(api).get_json()["number"]
    unknown = api("logistics").post(f"/api/v1/shipments/{number}/items", json={"code": "NOSUCH-CODE-1"})
    assert unknown.status_code == 422 and set(unknown.get_json()["errors"]) == {"code"}
    for body in ({}, {"code": 5}, {"code": "X", "quantity": "two"}):
        assert api("logistics").post(f"/api/v1/shipments/{number}/items", json=body).status_code == 422
    not_sent = api("partner").post(f"/api/v1/shipments/{number}/receive", json={"codes": ["X"]})
    assert not_sent.status_code == 409 and not_sent.get_json()["current"] == "open"
    assert api("logistics").post(f"/api/v1/shipments/{number}/receive", json={"codes": []}).status_code == 403
    assert api("logistics").post(f"/api/v1/shipments/{number}/receive", json={"codes": "X"}).status_code == 422


def test_roles_without_shipments_are_refused_and_partners_see_only_their_own(api, world, session) -> None:  # noqa: ANN001
    assert _open(api, "engineer").status_code == 403
    assert _open(api, "intake").status_code == 403
    number = _open(api).get_json()["number"]
    assert api("partner").get(f"/api/v1/shipments/{number}").status_code == 200  # the destination's end
    assert api("nsk_partner").get(f"/api/v1/shipments/{number}").status_code == 404
    for action, body in (("items", {"code": "X"}), ("dispatch", {"carrier": "x"}), ("receive", {"codes": []})):
        assert api("nsk_partner").post(f"/api/v1/shipments/{number}/{action}", json=body).status_code == 404
    # a partner cannot send from our warehouse, nor to another partner
    assert _open(api, "partner", **{"from": "MSK", "to": "EKB"}).status_code == 422
    assert _open(api, "partner", **{"from": "EKB", "to": "NSK"}).status_code == 422
    assert _open(api, "partner", **{"from": "EKB", "to": "MSK"}).status_code == 201
