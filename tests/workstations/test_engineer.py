"""The engineer workstation: the queue, scanning, and every bench action on the order page, with refusals."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.attachments import list_attachments
from servicecenter.centers.models import CenterKind
from servicecenter.diagnostics.catalogue import create_checklist_item, create_code
from servicecenter.diagnostics.models import DiagnosisCode, OrderDiagnosis
from servicecenter.repairs.models import AttachmentKind, Outcome, WorkLog
from servicecenter.repairs.services import assign_engineer
from servicecenter.repairs.states import RepairState
from tests.factories import csrf_token, login

WASHERS = "Стиральные машины"


@pytest.fixture
def center(factory):  # noqa: ANN001, ANN201
    return factory.center("BNC", timezone="Europe/Moscow")


@pytest.fixture
def eng(factory, center):  # noqa: ANN001, ANN201
    return _en(factory.user(center, Role.ENGINEER, email="eng@bnc.test", name="Инженер Иванов"))


def _en(user):  # noqa: ANN001, ANN202
    """The tests read the English messages (the Russian ones are the translators')."""
    user.locale = "en"
    return user


@pytest.fixture
def logged_in(client, eng):  # noqa: ANN001, ANN201
    login(client, eng.email)
    return client


def _mine(factory, center, eng, state=RepairState.IN_REPAIR):  # noqa: ANN001, ANN202
    order = factory.order(center, state)
    assign_engineer(factory.session, order, eng, factory.staff(center, Role.TEAM_LEAD))
    return order


def _page(client, number):  # noqa: ANN001, ANN202
    r = client.get(f"/orders/{number}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def _post(client, number, action, data, follow=True):  # noqa: ANN001, ANN202
    token = csrf_token(_page(client, number))
    r = client.post(f"/engineer/orders/{number}/{action}", data={"csrf_token": token, **data},
                    follow_redirects=follow)
    return r, r.get_data(as_text=True)


def test_queue_shows_my_orders_and_the_centers_unassigned_with_take(logged_in, factory, center, eng) -> None:  # noqa: ANN001
    mine = _mine(factory, center, eng, RepairState.DIAGNOSIS)
    waiting = factory.order(center)
    r = logged_in.get("/engineer/")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert f'data-order="{mine.number}"' in html and f'data-take="{waiting.number}"' in html
    assert "data-scan" in html and "data-hours" in html
    token = csrf_token(html)
    r = logged_in.post(f"/engineer/orders/{waiting.number}/take", data={"csrf_token": token, "back": "queue"},
                       follow_redirects=True)
    html = r.get_data(as_text=True)
    assert f"Order {waiting.number} is yours" in html
    factory.session.expire_all()
    assert waiting.state == RepairState.DIAGNOSIS and waiting.engineer_id == eng.id


def test_taking_an_order_someone_has_tells_who(logged_in, factory, center) -> None:  # noqa: ANN001
    order = factory.order(center)
    other = factory.user(center, Role.ENGINEER, name="Сидоров С.")
    html = _page(logged_in, order.number)
    assert 'id="bench-take"' in html
    assign_engineer(factory.session, order, other, factory.staff(center, Role.TEAM_LEAD))
    r = logged_in.post(f"/engineer/orders/{order.number}/take", data={"csrf_token": csrf_token(html)},
                       follow_redirects=True)
    assert "already taken by Сидоров С." in r.get_data(as_text=True)
    factory.session.expire_all()
    assert order.state == RepairState.RECEIVED and order.engineer_id == other.id


def test_scan_opens_the_order_by_number_or_serial(logged_in, factory, center) -> None:  # noqa: ANN001
    order = factory.order(center)
    r = logged_in.get("/engineer/scan", query_string={"code": order.unit.serial})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/orders/{order.number}")
    r = logged_in.get("/engineer/scan", query_string={"code": order.number.lower()})
    assert r.headers["Location"].endswith(f"/orders/{order.number}")
    r = logged_in.get("/engineer/scan", query_string={"code": "NOPE-123"}, follow_redirects=True)
    assert "Nothing found for NOPE-123" in r.get_data(as_text=True)


def test_diagnosis_codes_are_offered_for_the_category_and_recorded(logged_in, factory, center, eng) -> None:  # noqa: ANN001
    admin = factory.staff(center, Role.ADMIN)
    s = create_code(factory.session, admin, category=WASHERS, kind="symptom", code="S10", name="Течёт")
    c = create_code(factory.session, admin, category=WASHERS, kind="cause", code="C10", name="Манжета")
    tv = create_code(factory.session, admin, category="Телевизоры", kind="cause", code="C99", name="Матрица")
    order = _mine(factory, center, eng, RepairState.DIAGNOSIS)
    html = _page(logged_in, order.number)
    assert "S10 · Течёт" in html and "C99" not in html
    r, html = _post(logged_in, order.number, "diagnosis", {"symptom": s.id, "cause": tv.id})
    assert "another product category" in html
    r, html = _post(logged_in, order.number, "diagnosis", {"symptom": s.id, "cause": c.id, "diagnosis": "Порвана"})
    assert "Diagnosis recorded." in html and "data-diagnosis-codes" in html
    factory.session.expire_all()
    row = factory.session.scalar(select(OrderDiagnosis).where(OrderDiagnosis.order_id == order.id))
    factory.session.expire_all()
    assert row.cause_id == c.id and order.diagnosis == "Порвана"


@pytest.mark.parametrize(("minutes", "message"), [("0", "more than zero"), ("1500", "at most 24 hours"),
                                                  ("-5", "more than zero"), ("abc", "whole minutes")])
def test_bad_labour_is_refused_with_a_message(logged_in, factory, center, eng, minutes, message) -> None:  # noqa: ANN001
    order = _mine(factory, center, eng)
    r, html = _post(logged_in, order.number, "work", {"minutes": minutes, "description": "Работа"})
    assert r.status_code == 200 and message in html
    factory.session.expire_all()
    assert factory.session.scalars(select(WorkLog).where(WorkLog.order_id == order.id)).all() == []


def test_labour_is_logged_and_shown(logged_in, factory, center, eng) -> None:  # noqa: ANN001
    order = _mine(factory, center, eng)
    r, html = _post(logged_in, order.number, "work", {"minutes": "75", "description": "Замена ТЭНа"})
    assert "Work logged." in html and "Замена ТЭНа" in html and 'data-work-total>1:15' in html
    assert "1:15" in logged_in.get("/engineer/").get_data(as_text=True)


def test_checklist_blocks_finish_until_ticked(logged_in, factory, center, eng) -> None:  # noqa: ANN001
    item = create_checklist_item(factory.session, factory.staff(center, Role.ADMIN), category=WASHERS,
                                 text="Проверка на утечки")
    order = _mine(factory, center, eng)
    html = _page(logged_in, order.number)
    assert "data-checklist-missing" in html
    r, html = _post(logged_in, order.number, "finish", {"outcome": "repaired", "version": order.version})
    assert "Complete the checklist first: Проверка на утечки" in html
    factory.session.expire_all()
    assert order.state == RepairState.IN_REPAIR
    r, html = _post(logged_in, order.number, "checklist", {"item_id": item.id, "ticked": "1"})
    assert f'data-item="{item.id}" data-ticked="1"' in html
    r, html = _post(logged_in, order.number, "finish", {"outcome": "repaired", "outcome_note": "Готово",
                                                       "version": order.version})
    assert f"Order {order.number} is ready for pickup." in html
    factory.session.expire_all()
    assert order.state == RepairState.READY_FOR_PICKUP and order.outcome == Outcome.REPAIRED


def test_finish_as_replaced_needs_the_new_serial(logged_in, factory, center, eng) -> None:  # noqa: ANN001
    order = _mine(factory, center, eng)
    r, html = _post(logged_in, order.number, "finish", {"outcome": "replaced", "version": order.version})
    assert "serial number of the replacement unit" in html and order.state == RepairState.IN_REPAIR
    r, html = _post(logged_in, order.number, "finish", {"outcome": "replaced", "replacement_serial": "RPL-77",
                                                       "version": order.version})
    factory.session.expire_all()
    assert order.state == RepairState.READY_FOR_PICKUP and order.unit.replaced_by.serial == "RPL-77"


def test_replaced_part_serials_and_photos(logged_in, factory, center, eng, tmp_path) -> None:  # noqa: ANN001
    order = _mine(factory, center, eng)
    r, html = _post(logged_in, order.number, "parts", {"part_name": "Модуль", "old_serial": "M-1",
                                                      "new_serial": "M-2"})
    assert "Replaced part recorded." in html and "S/N M-1 → S/N M-2" in html
    r, html = _post(logged_in, order.number, "parts", {"part_name": "Модуль", "old_serial": "M-3",
                                                      "new_serial": "M-3"})
    assert "The replaced part was not recorded" in html
    buf = BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, "JPEG")
    token = csrf_token(_page(logged_in, order.number))
    r = logged_in.post(f"/engineer/orders/{order.number}/part-photos", follow_redirects=True,
                       data={"csrf_token": token, "photos": [(BytesIO(buf.getvalue()), "part.jpg")]},
                       content_type="multipart/form-data")
    assert "Photos of the parts added." in r.get_data(as_text=True)
    factory.session.expire_all()
    assert [a.kind for a in list_attachments(factory.session, order)] == [AttachmentKind.PART_PHOTO]
    r = logged_in.post(f"/engineer/orders/{order.number}/part-photos", follow_redirects=True,
                       data={"csrf_token": token, "photos": [(BytesIO(b"<svg/>"), "x.jpg")]},
                       content_type="multipart/form-data")
    assert "x.jpg is not a JPEG, PNG or WebP photo" in r.get_data(as_text=True)
    factory.session.expire_all()
    assert len(list_attachments(factory.session, order)) == 1


def test_an_unassigned_engineer_sees_no_bench_forms_and_is_refused(client, factory, center, eng) -> None:  # noqa: ANN001
    order = _mine(factory, center, eng)
    other = _en(factory.user(center, Role.ENGINEER))
    login(client, other.email)
    html = _page(client, order.number)
    assert 'data-form="work"' not in html
    r = client.post(f"/engineer/orders/{order.number}/work",
                    data={"csrf_token": csrf_token(html), "minutes": "10", "description": "x"})
    assert r.status_code == 403 and "Инженер Иванов" in r.get_data(as_text=True)  # who has it


def test_other_roles_and_other_centers_are_refused(client, factory, center, eng) -> None:  # noqa: ANN001
    order = factory.order(center)
    login(client, _en(factory.staff(center, Role.INTAKE)).email)
    assert client.get("/engineer/").status_code == 403
    html = _page(client, order.number)
    assert 'id="bench-take"' not in html
    assert client.post(f"/engineer/orders/{order.number}/take",
                       data={"csrf_token": csrf_token(html)}).status_code == 403
    partner_center = factory.center(kind=CenterKind.PARTNER)
    client.delete_cookie("sc_session")
    login(client, factory.staff(partner_center, Role.PARTNER).email)
    token = csrf_token(client.get("/engineer/").get_data(as_text=True))
    assert client.post(f"/engineer/orders/{order.number}/take", data={"csrf_token": token}).status_code == 404
    factory.session.expire_all()
    assert order.state == RepairState.RECEIVED


def test_repeat_repair_warning_on_the_order_page(logged_in, factory, center, eng) -> None:  # noqa: ANN001
    first = _mine(factory, center, eng, RepairState.ISSUED)
    second = factory.order(center, unit=first.unit, customer=first.customer)
    html = _page(logged_in, second.number)
    assert "data-repeat-repair" in html and first.number in html
    assert "data-repeat-repair" not in _page(logged_in, first.number)


def test_no_codes_for_the_category_says_so(logged_in, factory, center, eng) -> None:  # noqa: ANN001
    order = _mine(factory, center, eng, RepairState.DIAGNOSIS)
    assert factory.session.scalar(select(DiagnosisCode.id)) is None
    assert "No diagnosis codes for the category" in _page(logged_in, order.number)


def test_the_units_earlier_repairs_show_codes_and_parts(logged_in, factory, center, eng) -> None:  # noqa: ANN001
    from servicecenter.repairs.outcomes import record_part_swap

    first = _mine(factory, center, eng)
    record_part_swap(factory.session, eng, first, part_name="Плата", old_serial="PB-1", new_serial="PB-2")
    second = factory.order(center, unit=first.unit, customer=first.customer)
    html = _page(logged_in, second.number)
    assert "data-unit-repairs" in html and f'data-order="{first.number}"' in html
    assert "Плата: PB-1 → PB-2" in html


def test_a_partner_works_his_own_orders_behind_the_wall(client, factory) -> None:  # noqa: ANN001
    partner_center = factory.center(kind=CenterKind.PARTNER)
    partner = _en(factory.user(partner_center, Role.PARTNER))
    admin = factory.staff(factory.center(), Role.ADMIN)
    s = create_code(factory.session, admin, category=WASHERS, kind="symptom", code="S20", name="Не крутит")
    c = create_code(factory.session, admin, category=WASHERS, kind="cause", code="C20", name="Ремень")
    order = factory.order(partner_center)
    login(client, partner.email)
    assert f'data-take="{order.number}"' in client.get("/engineer/").get_data(as_text=True)
    r, html = _post(client, order.number, "take", {})
    assert f"Order {order.number} is yours" in html
    r, html = _post(client, order.number, "diagnosis", {"symptom": s.id, "cause": c.id})
    assert "Diagnosis recorded." in html
    r, html = _post(client, order.number, "work", {"minutes": "20", "description": "Замена ремня"})
    assert "Work logged." in html
    factory.session.expire_all()
    assert order.state == RepairState.DIAGNOSIS and order.engineer_id == partner.id


def test_a_second_take_and_labour_on_a_finished_order_are_refused(logged_in, factory, center, eng) -> None:  # noqa: ANN001
    order = _mine(factory, center, eng, RepairState.DIAGNOSIS)
    html = _page(logged_in, order.number)
    assert 'id="bench-take"' not in html
    r = logged_in.post(f"/engineer/orders/{order.number}/take", data={"csrf_token": csrf_token(html)},
                       follow_redirects=True)
    assert "only a received order can be taken" in r.get_data(as_text=True)
    ready = _mine(factory, center, eng, RepairState.READY_FOR_PICKUP)
    html = _page(logged_in, ready.number)
    assert 'data-form="work"' not in html
    r = logged_in.post(f"/engineer/orders/{ready.number}/work", follow_redirects=True, data={
        "csrf_token": csrf_token(html), "minutes": "30", "description": "Поздно"})
    assert "not on the bench" in r.get_data(as_text=True)
    factory.session.expire_all()
    assert factory.session.scalars(select(WorkLog).where(WorkLog.order_id == ready.id)).all() == []
