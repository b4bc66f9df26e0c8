"""Units over the API: found by manufacturer and serial with today's warranty, and their history."""

from __future__ import annotations

from datetime import date, timedelta


def test_a_unit_by_serial_with_its_warranty_today(api, world, factory) -> None:  # noqa: ANN001
    unit = factory.unit(world.model, serial="AT-100200")
    unit.purchase_date = date.today() - timedelta(days=30)
    factory.session.flush()
    body = api("call_center").get("/api/v1/units", query_string={"serial": " at-100200 ",
                                                                   "manufacturer": "Атлант"}).get_json()
    assert body["total"] == 1
    item = body["items"][0]
    assert (item["id"], item["manufacturer"], item["model"], item["serial"]) == (unit.id, "Атлант", "СМА 60",
                                                                                   "AT-100200")
    assert item["purchase_date"] == unit.purchase_date.isoformat()
    assert item["warranty"]["covered"] is True and item["warranty"]["until"] is not None
    none = api("call_center").get("/api/v1/units?serial=NOSUCH1").get_json()
    assert none == {"items": [], "page": 1, "pages": 1, "total": 0}


def test_a_bad_serial_or_manufacturer_is_422(api) -> None:  # noqa: ANN001
    assert "serial" in api("admin").get("/api/v1/units", query_string={"serial": "№№"}).get_json()["errors"]
    assert "manufacturer" in api("admin").get("/api/v1/units?manufacturer=Nobody").get_json()["errors"]


def test_a_partner_finds_only_units_it_has_had_in_repair(api, world) -> None:  # noqa: ANN001
    serials = {u["serial"] for u in api("partner").get("/api/v1/units").get_json()["items"]}
    assert serials == {world.ekb_order.unit.serial}
    foreign = api("partner").get("/api/v1/units", query_string={"serial": world.nsk_order.unit.serial}).get_json()
    assert foreign["total"] == 0


def test_a_units_history_across_its_orders(api, world, factory) -> None:  # noqa: ANN001
    unit = world.msk_order.unit
    api("engineer").post(f"/api/v1/repair-orders/{world.msk_order.number}/transitions", json={"to": "diagnosis"})
    body = api("engineer").get(f"/api/v1/units/{unit.id}/history").get_json()
    kinds = [(e["kind"], e["to"], e["order"]) for e in body["items"]]
    assert ("created", "received", world.msk_order.number) in kinds
    assert ("state", "diagnosis", world.msk_order.number) in kinds
    assert body["total"] == len(body["items"])


def test_another_centers_unit_history_is_404_for_a_partner(api, world, factory) -> None:  # noqa: ANN001
    own = api("partner").get(f"/api/v1/units/{world.ekb_order.unit_id}/history")
    assert own.status_code == 200 and own.get_json()["total"] >= 1
    for order in (world.msk_order, world.nsk_order):
        assert api("partner").get(f"/api/v1/units/{order.unit_id}/history").status_code == 404
    assert api("partner").get("/api/v1/units/987654/history").status_code == 404


def test_scanning_a_serial_points_to_the_units_history(api, world) -> None:  # noqa: ANN001
    found = api("engineer").get(f"/api/v1/scan/{world.msk_order.unit.serial}").get_json()
    assert found["url"] == f"/api/v1/units/{world.msk_order.unit_id}/history"
    assert api("engineer").get(found["url"]).status_code == 200
