"""Finding orders for a caller, plain-words status, authorised centers, the rating, the throttle."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from servicecenter import throttle
from servicecenter.accounts.models import ThrottleHit
from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind, Location, LocationKind
from servicecenter.centers.queries import Nearness, list_authorised_centers
from servicecenter.customers.models import Customer
from servicecenter.errors import PermissionDenied, ValidationFailed
from servicecenter.repairs.lookup import (
    MAX_RESULTS,
    SearchKind,
    describe_status,
    describe_whereabouts,
    expected_date,
    find_order_for_customer,
    list_order_cards,
    public_status,
    rate_repair,
    search_orders,
)
from servicecenter.repairs.models import EventKind, RepairOrder
from servicecenter.repairs.services import add_comment
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.visits import VisitRequest, pre_register_visit
from tests.domain.test_scanning import typed_on_russian_layout


@pytest.fixture
def msk(factory):  # noqa: ANN001, ANN201
    return factory.center("MSK", city="Москва", region="Москва", address="ул. Ленина, 1", phone="+74951112233",
                          hours="Пн–Пт 9–20")


def numbers(found) -> list[str]:  # noqa: ANN001
    return [o.number for o in found.orders]


# --- Search -------------------------------------------------------------------------------------

def test_an_order_number_finds_that_order_however_it_was_typed(session, factory, msk) -> None:  # noqa: ANN001
    order, _other = factory.order(msk), factory.order(msk)
    for typed in (order.number, order.number.lower(), f"  {order.number} ", typed_on_russian_layout(order.number)):
        found = search_orders(session, typed)
        assert numbers(found) == [order.number], typed
        assert SearchKind.NUMBER in found.kinds


def test_a_serial_finds_every_order_of_the_unit_newest_first(session, factory, msk) -> None:  # noqa: ANN001
    owner = factory.customer("Соколова Анна")
    unit = factory.unit(serial="WM-77 AB".replace(" ", ""), owner=owner)
    first = factory.order(msk, state=RepairState.ISSUED, unit=unit, customer=owner)
    second = factory.order(msk, unit=unit, customer=owner)
    factory.order(msk)  # someone else's
    found = search_orders(session, " wm-77ab ")
    assert numbers(found) == [second.number, first.number]
    assert SearchKind.SERIAL in found.kinds


def test_a_phone_in_any_spelling_finds_the_customers_orders(session, factory, msk) -> None:  # noqa: ANN001
    customer = factory.customer("Петров Пётр", phone="+79161234567")
    mine = [factory.order(msk, customer=customer) for _ in range(2)]
    factory.order(msk)
    for typed in ("+7 916 123-45-67", "8 (916) 123 45 67", "9161234567"):
        found = search_orders(session, typed)
        assert numbers(found) == [mine[1].number, mine[0].number], typed
        assert SearchKind.PHONE in found.kinds


def test_a_name_finds_by_prefix_or_part_in_any_case(session, factory, msk) -> None:  # noqa: ANN001
    orlova = factory.order(msk, customer=factory.customer("Орлова Мария Сергеевна"))
    smith = factory.order(msk, customer=factory.customer("John Smith"))
    factory.order(msk, customer=factory.customer("Иванов Иван"))
    assert numbers(search_orders(session, "Орлова")) == [orlova.number]
    assert numbers(search_orders(session, "орлова")) == [orlova.number]  # the usual lower-case spelling
    assert numbers(search_orders(session, "Мария")) == [orlova.number]
    assert numbers(search_orders(session, "smith")) == [smith.number]
    assert numbers(search_orders(session, "SMI")) == [smith.number]
    assert SearchKind.NAME in search_orders(session, "Орлова").kinds


def test_a_wide_search_is_capped_and_says_there_is_more(session, factory, msk) -> None:  # noqa: ANN001
    customer = factory.customer("Постоянный Клиент", phone="+79035550000")
    for _ in range(MAX_RESULTS + 2):
        factory.order(msk, customer=customer)
    found = search_orders(session, "+79035550000")
    assert len(found.orders) == MAX_RESULTS and found.more


@pytest.mark.parametrize("query", ["", "   ", "x" * 81, "%%%", "1", "\x00\x01abc"])
def test_an_empty_or_absurd_query_is_refused_with_a_message(session, query) -> None:  # noqa: ANN001
    with pytest.raises(ValidationFailed) as refused:
        search_orders(session, query)
    assert refused.value.errors == {"q": refused.value.errors["q"]}


def test_nothing_found_says_why(session, factory, msk) -> None:  # noqa: ANN001
    factory.order(msk)
    unknown = search_orders(session, "msk-2026-999999")
    assert unknown.orders == [] and unknown.hint.message == "No order %(number)s"
    assert unknown.hint.params == {"number": "MSK-2026-999999"}
    with pytest.raises(ValidationFailed, match="not a phone number"):
        search_orders(session, "+7 (916) 12")
    digits_only = search_orders(session, "9161234")  # could be a serial; as a phone it is too short
    assert digits_only.orders == [] and "phone number, it is incomplete" in digits_only.hint.message
    nobody = search_orders(session, "Неизвестный")
    assert nobody.orders == [] and nobody.hint.params == {"query": "Неизвестный"}


# --- Plain words --------------------------------------------------------------------------------

def test_a_deadline_is_said_as_the_centers_local_date(session, factory, msk) -> None:  # noqa: ANN001
    order = factory.order(msk, state=RepairState.DIAGNOSIS)
    order.diagnosis_due = datetime(2026, 3, 11, 22, 30, tzinfo=UTC)  # already 12 March in Moscow
    phrase = describe_status(order)
    assert phrase.message == "in diagnosis, due by %(date)s" and phrase.params == {"date": date(2026, 3, 12)}
    order.state = RepairState.IN_REPAIR  # (not through the table: only the wording is tested here)
    order.repair_due = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    assert describe_status(order).message == "in repair, due by %(date)s"
    assert expected_date(order) == date(2026, 4, 1)


def test_without_a_deadline_the_state_is_said_with_since_when(session, factory, msk) -> None:  # noqa: ANN001
    order = factory.order(msk, state=RepairState.READY_FOR_PICKUP)
    [card] = list_order_cards(session, [order])
    last_change = max(ev.at for ev in order.events if ev.kind in (EventKind.STATE, EventKind.CREATED))
    assert card.status.message == "ready for pickup since %(date)s"
    assert card.status.params["date"] == last_change.astimezone(ZoneInfo("Europe/Moscow")).date()
    assert card.expected is None


def test_where_the_unit_is(session, factory, msk) -> None:  # noqa: ANN001
    registered = factory.order(msk, state=RepairState.REGISTERED)
    received = factory.order(msk)
    issued = factory.order(msk, state=RepairState.ISSUED)
    assert describe_whereabouts(registered).message == "with the customer; not handed in yet"
    # received at the counter: in the center's main warehouse from the first minute
    assert describe_whereabouts(received).params == {"center": msk.name, "location": msk.locations[0].name}
    assert describe_whereabouts(issued).message == "with the customer"
    shelf = Location(code="MSK-A1", name="Стеллаж A1", kind=LocationKind.SHELF, center_id=msk.id)
    session.add(shelf)
    session.flush()
    received.unit.location = shelf
    phrase = describe_whereabouts(received)
    assert phrase.message == "at %(center)s: %(location)s"
    assert phrase.params == {"center": msk.name, "location": "Стеллаж A1"}


def test_a_card_carries_the_last_five_events_newest_first(session, factory, msk) -> None:  # noqa: ANN001
    order = factory.order(msk, state=RepairState.IN_REPAIR)
    operator = factory.staff(msk, Role.CALL_CENTER)
    for n in range(4):
        add_comment(session, order, operator, f"звонок {n}")
    other = factory.order(msk)
    cards = {c.order.id: c for c in list_order_cards(session, [order, other])}
    events = cards[order.id].events
    assert len(events) == 5 and [ev.details.get("text") for ev in events[:4]] == [
        "звонок 3", "звонок 2", "звонок 1", "звонок 0"]
    assert [ev.kind for ev in cards[other.id].events] == [EventKind.CREATED]


# --- Nearest authorised center ------------------------------------------------------------------

def test_authorised_centers_city_first_then_region_then_the_rest(session, factory) -> None:  # noqa: ANN001
    brand, other_brand = factory.manufacturer("Bosch"), factory.manufacturer("Miele")

    def center(code, name, city, region, kind=CenterKind.OWN, active=True, brands=(brand,)):  # noqa: ANN001, ANN202
        c = factory.center(code, name=name, city=city, region=region, kind=kind, active=active)
        c.brands.extend(brands)
        return c

    center("SPB", "Альфа Петербург", "Санкт-Петербург", "Ленинградская область")
    center("PDL", "Бета Подольск", "Подольск", "Московская область", kind=CenterKind.PARTNER)
    center("KHM", "Альфа Химки", "Химки", "Московская область")
    center("MS2", "Яблоко Москва", "Москва", "Москва")
    center("MS1", "Гамма Москва", "Москва", "Москва", kind=CenterKind.PARTNER)
    center("MS3", "Закрыт Москва", "Москва", "Москва", active=False)
    center("MS4", "Другой бренд", "Москва", "Москва", brands=(other_brand,))
    session.flush()
    found = list_authorised_centers(session, brand.id, city="  химки ", region="")
    assert [(n.center.code, n.nearness) for n in found] == [
        ("KHM", Nearness.CITY), ("PDL", Nearness.REGION),  # Химки tells the region: Московская область
        ("SPB", Nearness.ELSEWHERE), ("MS1", Nearness.ELSEWHERE), ("MS2", Nearness.ELSEWHERE)]
    by_city = list_authorised_centers(session, brand.id, city="г. Москва")
    assert [n.center.code for n in by_city][:2] == ["MS1", "MS2"]  # same city, by name; both kinds
    by_region = list_authorised_centers(session, brand.id, city="Коломна", region="московская область")
    assert [n.center.code for n in by_region][:2] == ["KHM", "PDL"]
    assert [n.nearness for n in by_region][:2] == [Nearness.REGION, Nearness.REGION]
    assert list_authorised_centers(session, factory.manufacturer("Никто").id, city="Москва") == []


# --- The customer's own lookup and rating -------------------------------------------------------

def test_the_customer_finds_the_order_only_with_the_right_digits(session, factory, msk) -> None:  # noqa: ANN001
    order = factory.order(msk, customer=factory.customer("Клиент", phone="+79165554433"))
    assert find_order_for_customer(session, order.number.lower(), "4433") is order
    assert find_order_for_customer(session, order.number, "4434") is None
    assert find_order_for_customer(session, "MSK-2026-999999", "4433") is None
    assert find_order_for_customer(session, "not a number", "4433") is None
    assert find_order_for_customer(session, order.number, "44") is None
    status = public_status(session, order)
    assert (status.center_name, status.center_address, status.center_hours) == (msk.name, msk.address, msk.hours)
    assert not status.can_rate  # not handed back yet


def test_a_handed_back_repair_is_rated_once(session, factory, msk) -> None:  # noqa: ANN001
    order = factory.order(msk, state=RepairState.ISSUED)
    assert public_status(session, order).can_rate
    rate_repair(session, order, 4, "  Быстро   и аккуратно ")
    assert (order.rating, order.rating_comment) == (4, "Быстро и аккуратно") and order.rated_at is not None
    session.expire(order, ["events"])
    note = [ev for ev in order.events if ev.kind == EventKind.COMMENT][-1]
    assert note.actor_id is None and note.details["params"] == {"rating": 4, "comment": "Быстро и аккуратно"}
    assert "%(rating)s of 5" in note.details["message"]
    with pytest.raises(ValidationFailed, match="already been rated"):
        rate_repair(session, order, 5)
    assert order.rating == 4 and not public_status(session, order).can_rate


@pytest.mark.parametrize("rating", [0, 6, -1, "", None, "five", "4.5"])
def test_a_rating_outside_one_to_five_is_refused(session, factory, msk, rating) -> None:  # noqa: ANN001
    order = factory.order(msk, state=RepairState.ISSUED)
    with pytest.raises(ValidationFailed, match="from 1 to 5"):
        rate_repair(session, order, rating)
    assert order.rating is None


def test_a_repair_not_yet_handed_back_cannot_be_rated(session, factory, msk) -> None:  # noqa: ANN001
    order = factory.order(msk, state=RepairState.READY_FOR_PICKUP)
    with pytest.raises(ValidationFailed, match="handed back"):
        rate_repair(session, order, 5)


# --- Pre-registration by phone ------------------------------------------------------------------

def _visit(center, **kw) -> VisitRequest:  # noqa: ANN001
    values = {"center_id": center.id, "customer_name": "Белова Ирина", "customer_phone": "8 903 111-22-33",
              "fault": "Не греет воду"}
    values.update(kw)
    return VisitRequest(**values)


def test_a_visit_is_registered_by_the_operator_with_its_unit(session, factory, msk) -> None:  # noqa: ANN001
    operator = factory.staff(factory.center("CC"), Role.CALL_CENTER)
    model = factory.model(name="WW90T")
    msk.brands.append(model.manufacturer)
    order = pre_register_visit(session, operator, _visit(msk, model_id=model.id, serial="ab 123",
                                                         idempotency_key="visit:x"))
    assert order.state == RepairState.REGISTERED and order.center_id == msk.id
    assert order.unit.serial == "AB123" and order.unit.owner_id == order.customer_id
    assert order.customer.phone == "+79031112233"
    [created] = order.events
    assert created.kind == EventKind.CREATED and created.actor_id == operator.id
    assert pre_register_visit(session, operator, _visit(msk, idempotency_key="visit:x")) is order


def test_a_known_phone_is_the_known_customer(session, factory, msk) -> None:  # noqa: ANN001
    known = factory.customer("Белова Ирина", phone="+79031112233")
    operator = factory.staff(msk, Role.CALL_CENTER)
    order = pre_register_visit(session, operator, _visit(msk, customer_name="белова  ирина"))
    assert order.customer_id == known.id and order.unit_id is None
    assert session.scalar(select(func.count()).select_from(Customer)) == 1


def test_a_brand_without_a_serial_is_noted_in_the_history(session, factory, msk) -> None:  # noqa: ANN001
    brand = factory.manufacturer("Electrolux")
    msk.brands.append(brand)
    order = pre_register_visit(session, factory.staff(msk, Role.CALL_CENTER),
                               _visit(msk, manufacturer_id=brand.id))
    session.expire(order, ["events"])
    assert [ev.details.get("text") for ev in order.events if ev.kind == EventKind.COMMENT] == ["Electrolux"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"customer_phone": "не помню"}, "customer_phone"),
    ({"customer_name": "  "}, "customer_name"),
    ({"fault": ""}, "fault"),
    ({"center_id": None}, "center_id"),
    ({"serial": "ABC-1"}, "model_id"),  # a serial needs its model
])
def test_a_bad_visit_is_refused_and_nothing_is_saved(session, factory, msk, changes, field) -> None:  # noqa: ANN001
    operator = factory.staff(msk, Role.CALL_CENTER)
    with pytest.raises(ValidationFailed) as refused:
        pre_register_visit(session, operator, _visit(msk, **changes))
    assert field in refused.value.errors
    assert session.scalar(select(func.count()).select_from(RepairOrder)) == 0
    assert session.scalar(select(func.count()).select_from(Customer)) == 0


def test_a_center_not_authorised_for_the_brand_is_refused(session, factory, msk) -> None:  # noqa: ANN001
    brand = factory.manufacturer("LG")
    with pytest.raises(ValidationFailed) as refused:
        pre_register_visit(session, factory.staff(msk, Role.CALL_CENTER), _visit(msk, manufacturer_id=brand.id))
    assert refused.value.errors == {"center_id": "This center is not authorised for the brand"}


def test_only_roles_that_register_visits_may(session, factory, msk) -> None:  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        pre_register_visit(session, factory.staff(msk, Role.ENGINEER), _visit(msk))


# --- The throttle -------------------------------------------------------------------------------

def test_the_throttle_counts_per_key_within_the_window(session) -> None:  # noqa: ANN001
    window = timedelta(minutes=10)
    assert [throttle.hit(session, "status", "10.0.0.1", 3, window) for _ in range(4)] == [False, False, False, True]
    assert throttle.hit(session, "status", "10.0.0.2", 3, window) is False  # another client
    assert throttle.hit(session, "login", "10.0.0.1", 3, window) is False  # another kind of request


def test_old_hits_neither_count_nor_stay(session) -> None:  # noqa: ANN001
    old = datetime.now(UTC) - timedelta(hours=1)
    session.add_all([ThrottleHit(scope="status", key="10.0.0.9", at=old) for _ in range(5)])
    session.flush()
    assert throttle.hit(session, "status", "10.0.0.9", 2, timedelta(minutes=10)) is False
    assert session.scalar(select(func.count()).select_from(ThrottleHit).where(ThrottleHit.key == "10.0.0.9")) == 1
