"""Property tests on every parser of outside input: a normalised value or our validation error, never
another exception — whatever a scanner, a form, an address bar or an import file sends."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from servicecenter.attachments import MAX_NAME, clean_display_name
from servicecenter.catalog.models import ProductModel
from servicecenter.customers.services import normalise_phone
from servicecenter.equipment.imports import Rejected, _Catalogue, _parse, _Row
from servicecenter.equipment.services import SERIAL_RE, normalise_serial
from servicecenter.errors import DomainError, ValidationFailed
from servicecenter.fields import clean_amount
from servicecenter.repairs.handover import _money
from servicecenter.repairs.lookup import find_order_for_customer, parse_order_number, search_orders
from servicecenter.reports.drill import KEYS, drill_conditions, orders_behind_query
from servicecenter.scanning import MAX_SCAN, ORDER_NUMBER, identify, normalise_scan
from servicecenter.settlements.periods import parse_period
from servicecenter.settlements.statements import clean_payment
from servicecenter.shipments.services import parse_quantity

# What people and machines really send: Russian layout, blanks, NUL and other control characters,
# right-to-left overrides, non-ASCII digits (Arabic-Indic, fullwidth, superscripts), surrogates,
# SQL-injection attempts, overlong strings.
HOSTILE = ["", " ", "\x00", "MSK-2026-000123\x00", "' OR 1=1 --", "1; DROP TABLE repair_orders", "²", "١٢٣٤",
           "１２３４", "\u202e1234", "\ud800", "ЬЫЛ-2026-000123", "msk-2026-000123\n", "8 (916) 123-45-67",
           "+٧٩١٦١٢٣٤٥٦٧", "1e30", "NaN", "-0", "Infinity", "sNaN", "9" * 5000, "A" * 10_000, "%", "_", "\\",
           "2026-02-30", "20260101", "2026-W01-1", "0", "00", "-1", "1_000"]
text = st.one_of(st.sampled_from(HOSTILE), st.text(), st.text(alphabet="0123456789 +-()٠١٢٣٤٥٦٧٨٩²³０１", max_size=20),
                 st.from_regex(r"[A-ZА-Я]{2,4}-\d{4}-\d{6}", fullmatch=True))
FAST = settings(max_examples=300, deadline=None)
WITH_DB = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(text)
def test_scan_is_a_printable_upper_case_code_or_refused(raw: str) -> None:
    try:
        code = normalise_scan(raw)
    except ValidationFailed:
        return
    assert code and len(code) <= MAX_SCAN and code.isprintable() and code == code.upper() and not re.search(r"\s", code)
    assert normalise_scan(code) == code  # normalised: scanning the result again changes nothing


@FAST
@given(text)
def test_order_number_is_the_printed_shape_or_none(raw: str) -> None:
    number = parse_order_number(raw)
    assert number is None or ORDER_NUMBER.match(number)


@FAST
@given(text)
@example("²" * 10)
def test_serial_matches_the_stored_shape_or_is_refused(raw: str) -> None:
    try:
        serial = normalise_serial(raw)
    except ValidationFailed:
        return
    assert SERIAL_RE.match(serial) and serial.isascii() and normalise_serial(serial) == serial


@FAST
@given(text)
@example("+٧٩١٦١٢٣٤٥٦٧")
@example("８９１６１２３４５６７")
def test_phone_is_plus_and_ascii_digits_or_refused(raw: str) -> None:
    try:
        phone = normalise_phone(raw)
    except ValidationFailed:
        return
    assert re.fullmatch(r"\+[0-9]{10,15}", phone), phone
    assert normalise_phone(phone) == phone


@FAST
@given(st.one_of(text, st.integers(), st.none(), st.floats()))
def test_quantity_is_a_whole_number_in_range_or_refused(raw: object) -> None:
    try:
        qty = parse_quantity(raw)
    except ValidationFailed:
        return
    assert isinstance(qty, int) and qty >= 1


@FAST
@given(st.one_of(text, st.decimals(allow_nan=True, allow_infinity=True), st.integers(), st.none()))
@example("1e30")
@example("1e-999999")
def test_amounts_are_kopecks_in_range_or_an_error(raw: object) -> None:
    errors: dict[str, str] = {}
    amount = clean_amount(raw, "price", errors, Decimal("10000000"), "bad")
    assert (amount is None) == ("price" in errors)
    if amount is not None:
        assert Decimal(0) <= amount <= Decimal("10000000") and amount == amount.quantize(Decimal("0.01"))


@FAST
@given(st.one_of(text, st.decimals(allow_nan=True, allow_infinity=True), st.integers(), st.none()))
@example("1e30")
@example("9" * 40)
def test_payment_at_handover_is_kopecks_or_not_understood(raw: object) -> None:
    paid = _money(raw)  # None: the clerk is told to take exactly the amount due
    assert paid is None or (paid.is_finite() and paid == paid.quantize(Decimal("0.01")))


@FAST
@given(text, st.one_of(text, st.none()))
def test_payment_date_and_reference_or_refused(day: str, reference: str | None) -> None:
    try:
        parsed, ref = clean_payment(day, reference)
    except ValidationFailed:
        return
    assert isinstance(parsed, date) and 0 < len(ref) <= 100


@FAST
@given(text)
def test_settlement_period_is_a_month_or_none(raw: str) -> None:
    parsed = parse_period(raw)
    assert parsed is None or (1 <= parsed[1] <= 12 and parsed[0] >= 0)


@FAST
@given(st.one_of(text, st.none()))
@example("../../etc/passwd.jpg")
@example("photo\u202egpj.exe")
def test_display_name_has_no_path_or_control_characters(raw: str | None) -> None:
    name = clean_display_name(raw)
    assert len(name) <= MAX_NAME and "/" not in name and "\\" not in name
    assert not any(ch in name for ch in "\x00\n\r\t\u202e")


@FAST
@given(st.dictionaries(st.sampled_from(sorted(KEYS | {"page", "evil", "id"})), text, max_size=4))
@example({"center": "²"})
@example({"engineer": "²"})
@example({"part": "١"})
@example({"category": "\x00"})
@example({"from": "2026-01-01", "to": "1970-01-01"})
def test_drill_params_are_conditions_or_refused(params: dict[str, str]) -> None:
    try:
        drill_conditions(params)
    except ValidationFailed:
        return


@WITH_DB
@given(params=st.dictionaries(st.sampled_from(sorted(KEYS)), text, max_size=3))
@example(params={"category": "\x00"})
@example(params={"category": "' OR 1=1 --"})
@example(params={"symptom": "9" * 12})
def test_drill_query_runs_on_the_database_or_is_refused(session, params) -> None:  # noqa: ANN001
    """Whatever the params, the database answers (no driver error: NUL bytes, overflowing ids)."""
    try:
        stmt = orders_behind_query(params)
    except ValidationFailed:
        return
    with session.begin_nested():
        session.scalar(select(func.count()).select_from(stmt.subquery()))


@WITH_DB
@given(raw=text)
@example(raw="\x00")
@example(raw="MSK-2026-000123\x00")
def test_identify_a_scan_answers_or_refuses(session, raw) -> None:  # noqa: ANN001
    try:
        with session.begin_nested():
            identify(session, raw)
    except ValidationFailed:
        return


@WITH_DB
@given(raw=text)
@example(raw="\x00")
@example(raw="100%")
def test_order_search_answers_or_refuses(session, raw) -> None:  # noqa: ANN001
    try:
        with session.begin_nested():
            search_orders(session, raw)
    except ValidationFailed:
        return


@pytest.fixture
def known_order(factory):  # noqa: ANN001, ANN201
    return factory.order(factory.center("HRD"), customer=factory.customer("Петров", phone="+79161234567"))


@WITH_DB
@given(number=st.one_of(text, st.none()), digits=st.one_of(text, st.none()))
@example(number=None, digits="4567")
@example(number="", digits="٤٥٦٧")
def test_status_lookup_finds_only_with_the_right_digits(session, known_order, number, digits) -> None:  # noqa: ANN001
    """The status page's lookup: the order only for its number and the phone's last four ASCII digits."""
    with session.begin_nested():
        found = find_order_for_customer(session, number, digits)
    assert found is None or (found.id == known_order.id and (digits or "").strip() == "4567")
    with session.begin_nested():
        assert find_order_for_customer(session, known_order.number.lower(), " 4567 ") == known_order


def _catalogue(model: ProductModel) -> _Catalogue:
    catalogue = _Catalogue.__new__(_Catalogue)  # the catalogue as the import reads it, without a database
    catalogue.brands = {"атлант"}
    catalogue.models = {("атлант", "хм-4010"): model}
    return catalogue


import_field = st.one_of(text, st.none(), st.integers(), st.booleans(), st.floats(), st.lists(st.integers()))


@FAST
@given(st.one_of(st.dictionaries(st.sampled_from(["manufacturer", "model", "serial", "production_date",
                                                  "warranty_start", "owner_name", "owner_phone", "\x00"]),
                                 import_field),
                 st.fixed_dictionaries({"manufacturer": st.just("Атлант"), "model": st.just("ХМ-4010"),
                                        "serial": text, "production_date": import_field,
                                        "owner_name": import_field, "owner_phone": import_field}),
                 import_field))
def test_import_row_is_a_unit_or_a_rejection_with_reason(raw: object) -> None:
    model = ProductModel(id=1, manufacturer_id=1, name="ХМ-4010")
    row = _parse(7, raw, _catalogue(model), date(2026, 12, 4))
    assert isinstance(row, _Row | Rejected)
    if isinstance(row, Rejected):
        assert row.row == 7 and row.reason
    else:
        assert SERIAL_RE.match(row.serial) and (not row.owner_phone or re.fullmatch(r"\+[0-9]{10,15}", row.owner_phone))


def test_every_parser_refuses_with_a_domain_error() -> None:
    """The refusals above are DomainErrors: one error handler turns them into a message (never a 500)."""
    assert issubclass(ValidationFailed, DomainError)


@pytest.fixture
def admin(factory):  # noqa: ANN001, ANN201
    from servicecenter.accounts.roles import Role

    return factory.user(factory.center("HRF"), Role.ADMIN)


@WITH_DB
@given(args=st.dictionaries(st.sampled_from(["from", "to", "center", "brand", "category", "x"]), text, max_size=4))
@example(args={"center": "²"})
@example(args={"brand": "١"})
@example(args={"category": "\x00"})
@example(args={"from": "２０２６-01-01"})
def test_report_filter_is_read_or_refused(app, session, admin, args) -> None:  # noqa: ANN001
    from workstations.reports.filters import FilterRefused, read_filter

    with app.test_request_context(), session.begin_nested():
        try:
            flt = read_filter(session, admin, args)
        except FilterRefused as refused:
            assert refused.status in (400, 403) and refused.message
            return
    assert flt.date_from <= flt.date_to
