"""The shared scan parser: layout-shifted, padded, lower-case scans find the same thing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicecenter.errors import ValidationFailed
from servicecenter.scanning import _LAYOUT, ScanKind, identify, normalise_scan

US_TO_RU = {v: k for k, v in _LAYOUT.items()}


def typed_on_russian_layout(code: str) -> str:
    """What a keyboard-wedge scanner produces for `code` when the Russian layout is active."""
    return "".join(chr(US_TO_RU.get(ord(c), ord(c))) for c in code)


@pytest.mark.parametrize("raw", ["MSK-2026-000123", "ЬЫЛ-2026-000123", "ьыл-2026-000123", "  msk-2026-000123\r\n",
                                 "\tMSK-2026-000123\t", "MSK -2026- 000123"])
def test_every_spelling_of_a_scan_is_the_same_code(raw) -> None:  # noqa: ANN001
    assert normalise_scan(raw) == "MSK-2026-000123"


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/.", min_size=1, max_size=40))
def test_a_code_typed_on_the_russian_layout_comes_back_intact(code: str) -> None:
    if any(c.isalpha() for c in code):  # digits and dashes alone are the same on both layouts
        assert normalise_scan(typed_on_russian_layout(code)) == code


@given(st.text(max_size=200))
def test_any_input_is_a_code_or_a_clear_refusal(raw: str) -> None:
    try:
        code = normalise_scan(raw)
    except ValidationFailed as err:
        assert "code" in err.errors
    else:
        assert code and code == code.upper() and not any(c.isspace() for c in code)


@pytest.mark.parametrize("raw", ["", "   ", "\r\n", "x" * 81])
def test_empty_or_absurd_scans_are_refused(raw) -> None:  # noqa: ANN001
    with pytest.raises(ValidationFailed):
        normalise_scan(raw)


def test_identify_orders_units_and_shelves(session, factory) -> None:  # noqa: ANN001
    center = factory.center("MSK")
    order = factory.order(center, unit=factory.unit(serial="ABC123XYZ"))
    assert identify(session, typed_on_russian_layout(order.number)).kind == ScanKind.ORDER
    found = identify(session, "abc123xyz\n")
    assert found.kind == ScanKind.UNIT and found.candidates == (order.unit_id,)
    assert identify(session, "msk-wh").kind == ScanKind.SHELF
    assert identify(session, "NOTHING-HERE") is None
