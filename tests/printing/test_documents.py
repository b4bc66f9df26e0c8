"""The data classes refuse what would print wrong."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from decimal import Decimal

import pytest

from printing import (
    LABEL_58X40,
    PRESETS,
    ActLine,
    LabelProfile,
    check_barcode_value,
    labels_with_accessories,
    samples,
)


def test_documents_are_frozen_and_take_lists_as_tuples() -> None:
    doc = replace(samples.work_order(), accessories=["Кабель"])
    assert doc.accessories == ("Кабель",)
    with pytest.raises(FrozenInstanceError):
        doc.number = "X"  # type: ignore[misc]


@pytest.mark.parametrize("value", ["", "МСК-2026-000123", "MSK-2026\n000123", "X" * 41])
def test_numbers_that_code_128_cannot_carry_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        check_barcode_value(value)
    with pytest.raises(ValueError):
        replace(samples.label(), number=value)


def test_copies_are_one_or_two() -> None:
    with pytest.raises(ValueError, match="copies"):
        replace(samples.work_order(), copies=3)


def test_a_line_amount_must_be_qty_times_price() -> None:
    ActLine(description="ok", qty=Decimal("3"), price=Decimal("0.335"), amount=Decimal("1.01"))
    with pytest.raises(ValueError, match="amount"):
        ActLine(description="bad", qty=Decimal("2"), price=Decimal("100"), amount=Decimal("250"))


def test_the_act_total_must_be_the_sum_of_its_lines_and_vat_comes_with_a_rate() -> None:
    act = samples.act()
    assert act.lines_total == act.total
    with pytest.raises(ValueError, match="total"):
        replace(act, total=act.total + 1)
    with pytest.raises(ValueError, match="vat"):
        replace(act, vat_rate=None)
    assert replace(act, vat=None, vat_rate=None).vat is None


def test_label_profiles_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown"):
        LabelProfile(name="x", width_mm=58, height_mm=40, fields=("colour",))
    with pytest.raises(ValueError, match="outside"):
        LabelProfile(name="x", width_mm=10, height_mm=40)
    with pytest.raises(ValueError, match="Code 128"):
        LabelProfile(name="x", width_mm=58, height_mm=40, code128=False)


def test_presets_and_the_qr_target() -> None:
    assert set(PRESETS) == {"58x40", "58x30", "50x30", "2.25x1.25in", "2x1in"}
    assert (PRESETS["2x1in"].width_mm, PRESETS["2x1in"].height_mm) == (50.8, 25.4)
    profile = replace(LABEL_58X40, qr_url="https://sc.example.ru/o/{number}?from=label")
    assert profile.qr_target("MSK-2026-000123") == "https://sc.example.ru/o/MSK-2026-000123?from=label"
    assert profile.qr_target("A/B C") == "https://sc.example.ru/o/A%2FB%20C?from=label"
    assert LABEL_58X40.qr_target("MSK-2026-000123") is None


def test_an_accessory_label_carries_the_same_number() -> None:
    unit, charger, cable = labels_with_accessories(samples.label(), ["Зарядное устройство", " ", "Кабель USB-C"])
    assert unit.accessory == ""
    assert (charger.accessory, cable.accessory) == ("Зарядное устройство", "Кабель USB-C")
    assert unit.number == charger.number == cable.number
