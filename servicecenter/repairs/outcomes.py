"""The end of the bench: serialised parts replaced (old serial out, new serial in) and finishing an
order with its outcome (repaired, replaced by a new unit, refused, unrepairable) → ready for pickup."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.catalog.models import ProductModel
from servicecenter.diagnostics.models import PartSwap
from servicecenter.equipment.models import Unit
from servicecenter.equipment.services import find_unit, normalise_serial
from servicecenter.errors import N_, StateConflict, ValidationFailed
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind, Outcome, RepairOrder
from servicecenter.repairs.services import _text, apply_transition
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.work import ON_BENCH, _on_bench, check_bench

# Parts that carry a serial become units of an (inactive, so never offered at the counter) model of
# the repaired unit's manufacturer, named after the part, in this category.
COMPONENTS = "Комплектующие"


def _serial(raw: str | None, field: str, errors: dict[str, str]) -> str | None:
    try:
        return normalise_serial(raw or "")
    except ValidationFailed:
        errors[field] = N_("Not a serial number")
        return None


def _part_model(session: Session, manufacturer_id: int, name: str) -> ProductModel:
    model = session.scalar(select(ProductModel).where(ProductModel.manufacturer_id == manufacturer_id,
                                                      ProductModel.name == name))
    if model is None:
        model = ProductModel(manufacturer_id=manufacturer_id, name=name, category=COMPONENTS, warranty_months=0,
                             active=False)
        session.add(model)
        session.flush()
    return model


def record_part_swap(session: Session, actor: User, order: RepairOrder, *, part_name: str, old_serial: str,
                     new_serial: str, note: str = "") -> PartSwap:
    """A serialised part replaced: the old serial out and the new one in, both units linked to the unit."""
    check_bench(actor, order)
    _on_bench(order)
    unit = order.unit
    if unit is None:
        raise ValidationFailed(N_("The order has no unit"), errors={"unit": N_("Required")})
    errors: dict[str, str] = {}
    name = _text(part_name, 120)
    if not name:
        errors["part_name"] = N_("Name the part")
    old, new = _serial(old_serial, "old_serial", errors), _serial(new_serial, "new_serial", errors)
    if old and old == new:
        errors["new_serial"] = N_("The new part's serial is the same as the old one's")
    if old == unit.serial or new == unit.serial:
        errors["old_serial" if old == unit.serial else "new_serial"] = N_("This is the repaired unit's own serial")
    old_unit = find_unit(session, unit.manufacturer_id, old) if old else None
    new_unit = find_unit(session, unit.manufacturer_id, new) if new else None
    if new_unit is not None and new_unit.component_of_id not in (None, unit.id) and new_unit.replaced_by_id is None:
        errors["new_serial"] = N_("This part is recorded as installed in another unit")
    if old_unit is not None and old_unit.replaced_by_id is not None:
        errors["old_serial"] = N_("This part was already replaced")
    if errors:
        raise ValidationFailed(N_("The replaced part was not recorded"), errors=errors)
    model = _part_model(session, unit.manufacturer_id, name)
    if old_unit is None:
        old_unit = Unit(manufacturer_id=unit.manufacturer_id, model_id=model.id, serial=old)
        session.add(old_unit)
    if new_unit is None:
        new_unit = Unit(manufacturer_id=unit.manufacturer_id, model_id=model.id, serial=new)
        session.add(new_unit)
    session.flush()
    old_unit.component_of_id = unit.id  # it was in this unit (history), and is out now:
    old_unit.replaced_by_id = new_unit.id
    new_unit.component_of_id = unit.id
    new_unit.owner_id = unit.owner_id
    swap = PartSwap(order_id=order.id, unit_id=unit.id, part_name=name, old_unit_id=old_unit.id,
                    new_unit_id=new_unit.id, note=_text(note, 500), user_id=actor.id)
    session.add(swap)
    params = {"part": name, "old": old_unit.serial, "new": new_unit.serial}
    record_event(session, actor=actor, kind=EventKind.FIELD, order=order, field="parts", from_value=old_unit.serial,
                 to_value=new_unit.serial, message=N_("%(part)s replaced: S/N %(old)s out, S/N %(new)s in"),
                 params=params)
    for part, message in ((old_unit, N_("Taken out of S/N %(unit)s, order %(number)s")),
                          (new_unit, N_("Installed in S/N %(unit)s, order %(number)s"))):
        record_event(session, actor=actor, kind=EventKind.FIELD, unit=part, field="component",
                     message=message, params={"unit": unit.serial, "number": order.number})
    session.flush()
    return swap


def list_part_swaps(session: Session, order: RepairOrder) -> list[PartSwap]:
    """The serialised parts replaced on the order, oldest first."""
    return list(session.scalars(select(PartSwap).where(PartSwap.order_id == order.id).order_by(PartSwap.id)))


def _replacement(session: Session, order: RepairOrder, serial: str | None,
                 model_id: int | None) -> tuple[ProductModel, str, Unit | None]:
    """Check the replacement unit before anything is written: its model, serial, and an existing record."""
    errors: dict[str, str] = {}
    old = order.unit
    assert old is not None
    model = session.get(ProductModel, model_id) if model_id else old.model
    if model is None:
        errors["replacement_model"] = N_("Unknown model")
    new = _serial(serial, "replacement_serial", errors)
    existing = None
    if model is not None and new:
        existing = find_unit(session, model.manufacturer_id, new)
        if existing is not None and existing.id == old.id:
            errors["replacement_serial"] = N_("This is the serial of the unit being replaced")
        elif existing is not None and existing.owner_id not in (None, old.owner_id):
            errors["replacement_serial"] = N_("A unit with this serial belongs to another customer")
    if errors:
        raise ValidationFailed(N_("Give the serial number of the replacement unit"), errors=errors)
    assert model is not None and new is not None
    return model, new, existing


def finish_order(session: Session, actor: User, order: RepairOrder, *, outcome: Outcome | str, note: str = "",
                 replacement_serial: str = "", replacement_model_id: int | None = None,
                 expected_version: int | None = None) -> RepairOrder:
    """Finish the bench work → ready for pickup: repaired, replaced (a new unit, linked to the old one
    as "replaced by"), refused or unrepairable. From diagnosis only refused/unrepairable (with a conclusion)."""
    check_bench(actor, order)
    try:
        outcome = Outcome(outcome)
    except ValueError:
        raise ValidationFailed(N_("Choose the outcome"), errors={"outcome": N_("Required")}) from None
    if order.state not in (RepairState.IN_REPAIR, RepairState.DIAGNOSIS):
        _on_bench(order, frozenset({RepairState.DIAGNOSIS, RepairState.IN_REPAIR}))
    assert order.state in ON_BENCH
    replacement = None
    if outcome == Outcome.REPLACED:
        if order.state != RepairState.IN_REPAIR or order.unit is None:
            raise StateConflict(N_("Order %(number)s is %(current)s: a unit is replaced in repair"),
                                current=order.state.value, allowed=[RepairState.IN_REPAIR.value],
                                number=order.number)
        replacement = _replacement(session, order, replacement_serial, replacement_model_id)
    apply_transition(session, order, RepairState.READY_FOR_PICKUP, actor, expected_version=expected_version,
                     outcome=outcome.value, outcome_note=_text(note))
    if replacement is not None:
        _replace_unit(session, actor, order, *replacement)
    return order


def _replace_unit(session: Session, actor: User, order: RepairOrder, model: ProductModel, serial: str,
                  existing: Unit | None) -> Unit:
    old = order.unit
    assert old is not None
    new = existing or Unit(manufacturer_id=model.manufacturer_id, model_id=model.id, serial=serial)
    new.owner_id = old.owner_id
    new.contract_id = new.contract_id or old.contract_id
    if existing is None:
        session.add(new)
    session.flush()
    old.replaced_by_id = new.id
    record_event(session, actor=actor, kind=EventKind.FIELD, order=order, field="replacement",
                 from_value=old.serial, to_value=new.serial,
                 message=N_("Unit replaced by a new one, S/N %(serial)s"), params={"serial": new.serial})
    record_event(session, actor=actor, kind=EventKind.FIELD, unit=new, field="replacement", from_value=old.serial,
                 message=N_("Issued as the replacement of S/N %(serial)s, order %(number)s"),
                 params={"serial": old.serial, "number": order.number})
    session.flush()
    return new
