"""The estimate over the API: read it, draw up the draft, send it — the engineer's estimate section's services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from servicecenter.pricing.models import LabourItem
from servicecenter.repairs.states import RepairState
from tests.domain.test_estimates import make_part


@pytest.fixture
def bench(factory, world, session):  # noqa: ANN001, ANN201
    """An MSK order and an EKB (partner) order in diagnosis, a labour item and a part."""
    labour = LabourItem(code="L-PCB", name="Замена платы управления", price=Decimal("1800.00"))
    session.add(labour)
    part = make_part(session, "2500.00", sku="PCB-A1")
    msk = factory.order(world.msk, state=RepairState.DIAGNOSIS)
    ekb = factory.order(world.ekb, state=RepairState.DIAGNOSIS)
    session.flush()
    return {"msk": msk, "ekb": ekb, "labour": labour, "part": part}


def _url(order, tail: str = "") -> str:  # noqa: ANN001
    return f"/api/v1/repair-orders/{order.number}/estimate{tail}"


def _line(api, who, order, body):  # noqa: ANN001, ANN202
    return api(who).post(_url(order, "/lines"), json=body)


def test_no_estimate_yet_reads_as_null(api, world) -> None:  # noqa: ANN001
    response = api("call_center").get(_url(world.msk_order))
    assert response.status_code == 200
    assert response.get_json() == {"order": world.msk_order.number, "current": None, "earlier": []}


def test_an_engineer_draws_up_an_estimate_and_sends_it(api, world, bench) -> None:  # noqa: ANN001
    order = bench["msk"]
    free = _line(api, "engineer", order, {"kind": "free", "description": "Чистка", "quantity": 2,
                                          "unit_price": "1000", "vat_rate": 20})
    assert free.status_code == 201
    assert _line(api, "engineer", order, {"kind": "labour", "labour_item": bench["labour"].id,
                                          "quantity": "1"}).status_code == 201
    added = _line(api, "engineer", order, {"kind": "part", "part": "pcb-a1", "quantity": 1})
    current = added.get_json()["current"]
    assert added.status_code == 201 and current["state"] == "draft" and current["version"] == 1
    assert [(ln["kind"], ln["gross"]) for ln in current["lines"]] == [
        ("free", "2000.00"), ("labour", "1800.00"), ("part", "2500.00")]
    assert current["lines"][1]["description"] == "Замена платы управления"
    assert current["lines"][2]["description"].endswith("(PCB-A1)")
    assert current["lines"][2]["part"] == "PCB-A1" and current["gross"] == "6300.00"
    sent = api("engineer").post(_url(order, "/send"), json={"diagnosis": "Сгорела плата"})
    assert sent.status_code == 200 and sent.get_json()["state"] == "awaiting_approval"
    assert sent.get_json()["diagnosis"] == "Сгорела плата"
    after = api("intake").get(_url(order)).get_json()["current"]
    assert after["state"] == "sent" and after["sent_at"] is not None and after["gross"] == "6300.00"
    # a sent estimate is frozen: the order is no longer in diagnosis
    assert _line(api, "engineer", order, {"kind": "free", "description": "x", "quantity": 1,
                                          "unit_price": 1}).status_code == 409


def test_a_partner_works_the_estimate_of_its_own_order(api, bench) -> None:  # noqa: ANN001
    order = bench["ekb"]
    assert _line(api, "partner", order, {"kind": "free", "description": "Ремонт", "quantity": 1,
                                         "unit_price": 900}).status_code == 201
    assert api("partner").post(_url(order, "/send"), json={}).get_json()["state"] == "awaiting_approval"


@pytest.mark.parametrize("body,field", [
    ({"quantity": 1}, "kind"),
    ({"kind": "gift", "quantity": 1}, "kind"),
    ({"kind": "free", "description": "x", "unit_price": 1}, "quantity"),
    ({"kind": "free", "description": "x", "quantity": "abc", "unit_price": 1}, "quantity"),
    ({"kind": "free", "description": "x", "quantity": 0, "unit_price": 1}, "quantity"),
    ({"kind": "free", "description": "x", "quantity": [1], "unit_price": 1}, "quantity"),
    ({"kind": "free", "quantity": 1, "unit_price": 1}, "description"),
    ({"kind": "free", "description": "x", "quantity": 1, "unit_price": "-5"}, "unit_price"),
    ({"kind": "free", "description": "x", "quantity": 1, "unit_price": 1, "vat_rate": 150}, "vat_rate"),
    ({"kind": "part", "quantity": 1}, "part"),
    ({"kind": "part", "part": "NO-SUCH", "quantity": 1}, "part"),
    ({"kind": "part", "part": "PCB-A1", "quantity": "1.5"}, "quantity"),
    ({"kind": "labour", "quantity": 1}, "labour_item"),
    ({"kind": "labour", "labour_item": 999999, "quantity": 1}, "labour_item"),
    ({"kind": "labour", "labour_item": "L-PCB", "quantity": 1}, "labour_item"),
])
def test_a_wrong_line_is_422_and_nothing_is_added(api, bench, body, field) -> None:  # noqa: ANN001
    response = _line(api, "engineer", bench["msk"], body)
    assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()
    assert api("engineer").get(_url(bench["msk"])).get_json()["current"] is None


def test_a_malformed_body_is_400_or_415(api, bench) -> None:  # noqa: ANN001
    assert api("engineer").post(_url(bench["msk"], "/lines"), json=[1]).status_code == 400
    assert api("engineer").post(_url(bench["msk"], "/lines"), data="kind=free").status_code == 415
    assert api("engineer").post(_url(bench["msk"], "/send"), json="x").status_code == 400


@pytest.mark.parametrize("who", ["intake", "call_center", "logistics"])
def test_a_role_off_the_bench_is_403(api, bench, who) -> None:  # noqa: ANN001
    line = {"kind": "free", "description": "x", "quantity": 1, "unit_price": 1}
    assert _line(api, who, bench["msk"], line).status_code == 403
    assert api(who).post(_url(bench["msk"], "/send"), json={}).status_code == 403


def test_outside_the_callers_center_it_is_403_or_404(api, world, bench) -> None:  # noqa: ANN001
    line = {"kind": "free", "description": "x", "quantity": 1, "unit_price": 1}
    assert _line(api, "engineer", bench["ekb"], line).status_code == 403
    assert _line(api, "nsk_partner", bench["ekb"], line).status_code == 404
    assert api("nsk_partner").get(_url(bench["ekb"])).status_code == 404
    assert api("nsk_partner").post(_url(bench["ekb"], "/send"), json={}).status_code == 404
    assert api(None).get(_url(bench["msk"])).status_code == 401
    assert api("engineer").get("/api/v1/repair-orders/MSK-1999-999999/estimate").status_code == 404


def test_sending_an_empty_estimate_is_422_and_an_outdated_version_409(api, bench) -> None:  # noqa: ANN001
    order = bench["msk"]
    empty = api("engineer").post(_url(order, "/send"), json={})
    assert empty.status_code == 422 and "estimate" in empty.get_json()["errors"]
    _line(api, "engineer", order, {"kind": "free", "description": "x", "quantity": 1, "unit_price": 1})
    stale = api("engineer").post(_url(order, "/send"), json={"version": order.version - 1})
    assert stale.status_code == 409
    assert api("engineer").post(_url(order, "/send"), json={"version": "1"}).status_code == 422
    assert api("engineer").get(f"/api/v1/repair-orders/{order.number}").get_json()["state"] == "diagnosis"


def test_a_line_outside_diagnosis_is_409_naming_the_state(api, world) -> None:  # noqa: ANN001
    response = _line(api, "engineer", world.msk_order, {"kind": "free", "description": "x", "quantity": 1,
                                                       "unit_price": 1})
    assert response.status_code == 409 and response.get_json()["current"] == "received"


FREE = {"kind": "free", "description": "Чистка", "quantity": 1, "unit_price": 700}


def _sent(api, order, who: str = "engineer"):  # noqa: ANN001, ANN202
    assert _line(api, who, order, FREE).status_code == 201
    assert api(who).post(_url(order, "/send"), json={}).status_code == 200


def test_a_line_comes_off_the_draft(api, bench) -> None:  # noqa: ANN001
    order = bench["msk"]
    _line(api, "engineer", order, FREE)
    first = _line(api, "engineer", order, {**FREE, "description": "Ещё", "unit_price": 300}).get_json()
    line_id = first["current"]["lines"][0]["id"]
    response = api("engineer").open("DELETE", _url(order, f"/lines/{line_id}"))
    assert response.status_code == 200
    current = response.get_json()["current"]
    assert [ln["description"] for ln in current["lines"]] == ["Ещё"] and current["gross"] == "300.00"
    assert api("engineer").open("DELETE", _url(order, f"/lines/{line_id}")).status_code == 404


def test_removing_is_refused_by_role_scope_and_once_sent(api, bench) -> None:  # noqa: ANN001
    ekb_line = _line(api, "partner", bench["ekb"], FREE).get_json()["current"]["lines"][0]["id"]
    assert api("nsk_partner").open("DELETE", _url(bench["ekb"], f"/lines/{ekb_line}")).status_code == 404
    assert api("engineer").open("DELETE", _url(bench["ekb"], f"/lines/{ekb_line}")).status_code == 403
    # another order's line named under this order: nothing by that id here
    _line(api, "engineer", bench["msk"], FREE)
    assert api("admin").open("DELETE", _url(bench["msk"], f"/lines/{ekb_line}")).status_code == 404
    assert api("intake").open("DELETE", _url(bench["msk"], f"/lines/{ekb_line}")).status_code == 403
    api("partner").post(_url(bench["ekb"], "/send"), json={})
    frozen = api("partner").open("DELETE", _url(bench["ekb"], f"/lines/{ekb_line}"))
    assert frozen.status_code == 409
    assert len(api("partner").get(_url(bench["ekb"])).get_json()["current"]["lines"]) == 1


@pytest.mark.parametrize("answer,state,estimate_state", [
    ("approve", "in_repair", "approved"), ("decline", "ready_for_pickup", "declined"),
    ("revise", "diagnosis", "superseded"),
])
def test_the_customers_answer_moves_the_order(api, bench, answer, state, estimate_state) -> None:  # noqa: ANN001
    order = bench["msk"]
    _sent(api, order)
    response = api("intake").post(_url(order, "/answer"), json={"answer": answer, "via": "phone", "note": "Ок"})
    assert response.status_code == 200 and response.get_json()["state"] == state
    current = api("intake").get(_url(order)).get_json()["current"]
    assert current["state"] == estimate_state and current["answered_via"] == "phone"
    if answer == "revise":  # the next line starts version 2, a copy of the first
        again = _line(api, "engineer", order, FREE).get_json()
        assert again["current"]["version"] == 2 and len(again["current"]["lines"]) == 2
        assert [e["version"] for e in again["earlier"]] == [1]


def test_the_same_approval_twice_changes_nothing_the_second_time(api, bench) -> None:  # noqa: ANN001
    order = bench["msk"]
    _sent(api, order)
    body = {"answer": "approve", "via": "in_person"}
    first = api("call_center").post(_url(order, "/answer"), json=body).get_json()
    second = api("call_center").post(_url(order, "/answer"), json=body)
    assert second.status_code == 200 and second.get_json()["history"] == first["history"]


@pytest.mark.parametrize("body,field", [
    ({"via": "phone"}, "answer"), ({"answer": "maybe", "via": "phone"}, "answer"),
    ({"answer": "approve"}, "via"), ({"answer": "approve", "via": "pigeon"}, "via"),
    ({"answer": "approve", "via": "phone", "note": "я" * 501}, "note"),
    ({"answer": "approve", "via": "phone", "version": "2"}, "version"),
])
def test_a_wrong_answer_is_422_and_nothing_moves(api, bench, body, field) -> None:  # noqa: ANN001
    order = bench["msk"]
    _sent(api, order)
    response = api("intake").post(_url(order, "/answer"), json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert api("intake").get(f"/api/v1/repair-orders/{order.number}").get_json()["state"] == "awaiting_approval"


def test_an_answer_is_refused_by_state_version_role_and_scope(api, bench) -> None:  # noqa: ANN001
    body = {"answer": "approve", "via": "phone"}
    not_sent = api("intake").post(_url(bench["msk"], "/answer"), json=body)
    assert not_sent.status_code == 409 and not_sent.get_json()["current"] == "diagnosis"
    _sent(api, bench["msk"])
    stale = api("intake").post(_url(bench["msk"], "/answer"), json={**body, "version": bench["msk"].version - 1})
    assert stale.status_code == 409
    assert api("logistics").post(_url(bench["msk"], "/answer"), json=body).status_code == 403
    assert api("intake").post(_url(bench["msk"], "/answer"), json=[]).status_code == 400
    _sent(api, bench["ekb"], "partner")
    assert api("nsk_partner").post(_url(bench["ekb"], "/answer"), json=body).status_code == 404
    assert api("intake").post(_url(bench["ekb"], "/answer"), json=body).status_code == 403
    assert api("partner").post(_url(bench["ekb"], "/answer"), json=body).get_json()["state"] == "in_repair"


def _warranty(api, who, order, **body):  # noqa: ANN001, ANN003, ANN202
    return api(who).post(f"/api/v1/repair-orders/{order.number}/warranty", json=body)


def test_an_engineer_revises_warranty_to_paid_and_the_repair_waits_for_an_estimate(api, factory, world) -> None:  # noqa: ANN001
    order = factory.order(world.msk, state=RepairState.IN_REPAIR, warranty_covered=True, order_type="warranty")
    response = _warranty(api, "engineer", order, covered=False, reason="Залит жидкостью", version=order.version)
    body = response.get_json()
    assert response.status_code == 200 and body["state"] == "diagnosis"
    assert body["warranty"]["covered"] is False and body["warranty"]["reason"] == "Залит жидкостью"
    assert any(ev["kind"] == "warranty" and ev["to"] == "paid" for ev in body["history"])
    back = _warranty(api, "team_lead", order, covered=True, reason="Ошибка: гарантия")
    assert back.status_code == 200 and back.get_json()["warranty"]["covered"] is True


@pytest.mark.parametrize("body,field", [
    ({"reason": "x"}, "covered"), ({"covered": "yes", "reason": "x"}, "covered"),
    ({"covered": False}, "reason"), ({"covered": False, "reason": "  "}, "reason"),
    ({"covered": False, "reason": "я" * 501}, "reason"), ({"covered": False, "reason": "x", "version": 1.5}, "version"),
])
def test_a_wrong_warranty_revision_is_422_and_nothing_changes(api, bench, body, field) -> None:  # noqa: ANN001
    response = api("engineer").post(f"/api/v1/repair-orders/{bench['msk'].number}/warranty", json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert api("engineer").get(f"/api/v1/repair-orders/{bench['msk'].number}").get_json()["version"] == \
        bench["msk"].version


def test_a_warranty_revision_is_refused_by_role_state_version_and_scope(api, factory, world, bench) -> None:  # noqa: ANN001
    assert _warranty(api, "call_center", bench["msk"], covered=False, reason="x").status_code == 403
    assert _warranty(api, "logistics", bench["msk"], covered=False, reason="x").status_code == 403
    assert _warranty(api, "engineer", bench["msk"], covered=False, reason="x",
                     version=bench["msk"].version - 1).status_code == 409
    issued = factory.order(world.msk, state=RepairState.CANCELLED)
    final = _warranty(api, "engineer", issued, covered=False, reason="x")
    assert final.status_code == 409 and final.get_json()["current"] == "cancelled"
    assert _warranty(api, "engineer", bench["ekb"], covered=False, reason="x").status_code == 403
    assert _warranty(api, "nsk_partner", bench["ekb"], covered=False, reason="x").status_code == 404
    assert _warranty(api, None, bench["msk"], covered=False, reason="x").status_code == 401
    assert api("engineer").post(f"/api/v1/repair-orders/{bench['msk'].number}/warranty",
                                data="covered=false").status_code == 415
