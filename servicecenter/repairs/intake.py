"""Receiving a unit at the counter: customer, unit, warranty verdict and the order, in one go."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.catalog.models import ProductModel
from servicecenter.catalog.queries import get_active_model
from servicecenter.centers.models import ServiceCenter
from servicecenter.customers.models import Customer, CustomerKind, ServiceContract
from servicecenter.customers.services import create_customer, normalise_phone
from servicecenter.equipment.models import Unit
from servicecenter.equipment.services import register_unit
from servicecenter.equipment.warranty import ContractTerm, EarlierRepair, Verdict, check_warranty
from servicecenter.errors import N_, NotFound, StateConflict, ValidationFailed
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind, OrderType, Outcome, Priority, RepairOrder
from servicecenter.repairs.services import apply_transition, create_order
from servicecenter.repairs.states import RepairState


@dataclass
class IntakeRequest:
    """What the clerk entered (plain values; the edge parses the form or JSON into this)."""

    model_id: int
    serial: str
    fault: str
    customer_id: int | None = None
    customer_name: str = ""
    customer_phone: str = ""
    customer_email: str = ""
    customer_kind: str = CustomerKind.PERSON
    purchase_date: date | None = None
    seller: str = ""
    condition: str = ""
    accessories: list[str] = field(default_factory=list)
    order_type: str = OrderType.PAID
    priority: str = Priority.NORMAL
    warranty_override: bool | None = None  # the clerk's own decision, against or without the verdict
    override_reason: str = ""
    idempotency_key: str | None = None
    contract_number: str = ""  # an extended-warranty contract the customer shows


def earlier_repairs(session: Session, unit: Unit, tz: str) -> list[EarlierRepair]:
    """The unit's issued orders (any center of the network), for our own repair warranty."""
    from servicecenter.clock import local_date

    rows = session.execute(select(RepairOrder.number, RepairOrder.issued_at, RepairOrder.outcome).where(
        RepairOrder.unit_id == unit.id, RepairOrder.state == RepairState.ISSUED))
    return [EarlierRepair(number, local_date(issued, tz), outcome in (Outcome.REPAIRED, Outcome.REPLACED))
            for number, issued, outcome in rows if issued is not None]


def warranty_verdict(session: Session, *, model: ProductModel, unit: Unit | None, purchase_date: date | None,
                     center: ServiceCenter, today: date) -> Verdict:
    """The explained warranty decision for this unit arriving at `center` today."""
    contract = None
    if unit is not None and unit.contract is not None:
        c = unit.contract
        contract = ContractTerm(c.number, c.valid_from, c.valid_to)
    return check_warranty(
        today=today,
        purchase_date=purchase_date if purchase_date is not None else (unit.purchase_date if unit else None),
        months=model.warranty_months,
        override_until=unit.warranty_until_override if unit else None,
        contract=contract,
        earlier=earlier_repairs(session, unit, center.timezone) if unit is not None else [],
        repair_warranty_days=center.repair_warranty_days,
    )


def _customer(session: Session, req: IntakeRequest) -> Customer:
    if req.customer_id is not None:
        customer = session.get(Customer, req.customer_id)  # the session's scope re-checks it
        if customer is None:
            raise NotFound(N_("No such customer"))
        return customer
    phone = normalise_phone(req.customer_phone)
    name = " ".join((req.customer_name or "").split())
    same = session.scalars(select(Customer).where(Customer.phone == phone)).all()
    for known in same:  # the same person typed again, not picked from the list: no duplicate
        if known.name.casefold() == name.casefold():
            return known
    return create_customer(session, name=name, phone=phone, email=req.customer_email, kind=req.customer_kind)


@dataclass(frozen=True)
class _Decision:
    covered: bool
    reason: str
    order_type: OrderType
    verdict: Verdict


def _validate(session: Session, req: IntakeRequest, today: date, *, customer_known: bool) -> ProductModel:
    """Check the clerk's input; every field error at once, nothing written."""
    errors: dict[str, str] = {}
    model = get_active_model(session, req.model_id)  # an inactive model or brand is not offered at intake
    if model is None:
        errors["model_id"] = N_("Choose the model from the catalogue")
    if req.purchase_date is not None and req.purchase_date > today:
        errors["purchase_date"] = N_("In the future")
    if not (req.fault or "").strip():
        errors["fault"] = N_("Describe the fault")
    if not customer_known and req.customer_id is None and not (req.customer_name or "").strip():
        errors["customer_name"] = N_("Required")
    if req.warranty_override is not None and not req.override_reason.strip():
        errors["override_reason"] = N_("Say why you decide otherwise")
    try:
        OrderType(req.order_type), Priority(req.priority)
    except ValueError:
        errors["order_type"] = N_("Unknown value")
    if errors:
        raise ValidationFailed(N_("The unit was not received: check the marked fields"), errors=errors)
    assert model is not None
    return model


def _contract(session: Session, number: str, owner: Customer) -> ServiceContract | None:
    """The extended-warranty contract the customer names, checked to be theirs."""
    number = (number or "").strip()
    if not number:
        return None
    contract = session.scalar(select(ServiceContract).where(ServiceContract.number == number))
    if contract is None or contract.customer_id != owner.id:  # someone else's contract looks missing too
        raise ValidationFailed(N_("No contract %(number)s for this customer"),
                               errors={"contract_number": N_("No such contract for this customer")},
                               number=number[:40])
    return contract


def _unit(session: Session, req: IntakeRequest, model: ProductModel, owner: Customer, today: date) -> Unit:
    """The unit handed in: found by manufacturer and serial, or registered; its card completed."""
    contract = _contract(session, req.contract_number, owner)
    unit = register_unit(session, model=model, serial=req.serial, owner=owner,
                         purchase_date=req.purchase_date, seller=req.seller, today=today)
    if contract is not None:
        unit.contract = contract
    if unit.purchase_date is None and req.purchase_date is not None:
        unit.purchase_date, unit.seller = req.purchase_date, (req.seller or "")[:200]
    if unit.owner_id is None:
        unit.owner_id = owner.id
    return unit


def _decide(session: Session, req: IntakeRequest, model: ProductModel, unit: Unit, center: ServiceCenter,
            today: date) -> _Decision:
    """Warranty or paid, and the order type, from the verdict, the chosen type and the clerk's override."""
    verdict = warranty_verdict(session, model=model, unit=unit, purchase_date=req.purchase_date,
                               center=center, today=today)
    order_type = OrderType(req.order_type)
    covered = verdict.covered if req.warranty_override is None else req.warranty_override
    if order_type == OrderType.PRESALE:
        # A dealer's pre-sale check: the dealer pays, the unit has no buyer's warranty to count yet.
        covered = bool(req.warranty_override)
        if not (req.seller or unit.seller).strip():
            raise ValidationFailed(N_("A pre-sale check needs the dealer (the seller)"),
                                   errors={"seller": N_("Required")})
    if order_type == OrderType.REPEAT and verdict.earlier_order is None and req.warranty_override is None:
        raise ValidationFailed(N_("No repair of ours on this unit within its repair warranty: choose warranty or "
                                  "paid, or decide otherwise with a reason"), errors={"order_type": N_("No earlier "
                                                                                          "repair")})
    if covered is None:
        raise ValidationFailed(verdict.message, errors={"warranty_override": N_("Decide: warranty or paid")},
                               **verdict.params)
    if order_type == OrderType.WARRANTY and not covered:
        raise ValidationFailed(N_("Not under warranty: %(reason)s. Choose paid repair, or decide otherwise "
                                  "with a reason"), errors={"order_type": N_("Not under warranty")},
                               reason=verdict.reason())
    if verdict.earlier_order and order_type in (OrderType.PAID, OrderType.WARRANTY) and covered:
        order_type = OrderType.REPEAT
    reason = verdict.reason() if req.warranty_override is None else req.override_reason.strip()
    return _Decision(covered, reason, order_type, verdict)


def _record_decision(session: Session, actor: User, order: RepairOrder, req: IntakeRequest,
                     decision: _Decision) -> None:
    verdict = decision.verdict
    record_event(session, actor=actor, kind=EventKind.WARRANTY, order=order,
                 to_value="warranty" if decision.covered else "paid", reason=decision.reason,
                 basis=verdict.basis.value, until=verdict.until.isoformat() if verdict.until else None,
                 proposed=None if req.warranty_override is None else verdict.reason(),
                 override=req.warranty_override is not None or None, earlier_order=verdict.earlier_order,
                 # the verdict's template and values, so each reader sees it in their language
                 message=verdict.message, params=verdict.params)


def receive_at_counter(session: Session, actor: User, center: ServiceCenter, req: IntakeRequest,
                       today: date) -> RepairOrder:
    """Receive a unit: find or create customer and unit, decide warranty, create the order.

    A repeated request with the same idempotency key returns the order the first one made.
    """
    if req.idempotency_key:
        done = session.scalar(select(RepairOrder).where(RepairOrder.idempotency_key == req.idempotency_key))
        if done is not None:
            return done
    model = _validate(session, req, today, customer_known=False)
    customer = _customer(session, req)
    unit = _unit(session, req, model, customer, today)
    decision = _decide(session, req, model, unit, center, today)
    order = create_order(session, actor, center=center, customer=customer, unit=unit, fault=req.fault,
                         condition=req.condition, accessories=req.accessories, order_type=decision.order_type,
                         priority=req.priority, warranty_covered=decision.covered,
                         warranty_reason=decision.reason, idempotency_key=req.idempotency_key)
    _record_decision(session, actor, order, req, decision)
    session.flush()
    return order


def complete_registration(session: Session, actor: User, order: RepairOrder, req: IntakeRequest,
                          today: date) -> RepairOrder:
    """The pre-registered customer came with the unit: record it and receive it (registered → received)."""
    if order.state != RepairState.REGISTERED:
        raise StateConflict(N_("Order %(number)s is %(current)s; only a pre-registered visit is completed here"),
                            current=order.state.value, allowed=[], number=order.number)
    model = _validate(session, req, today, customer_known=True)
    unit = _unit(session, req, model, order.customer, today)
    decision = _decide(session, req, model, unit, order.center, today)
    order.put_unit(unit)
    order.fault, order.condition = req.fault.strip()[:4000], (req.condition or "").strip()[:4000]
    order.accessories = [a.strip()[:100] for a in req.accessories if a.strip()]
    order.order_type, order.priority = decision.order_type, Priority(req.priority)
    order.warranty_covered, order.warranty_reason = decision.covered, decision.reason[:500]
    apply_transition(session, order, RepairState.RECEIVED, actor)  # the unit goes to the warehouse (stock/places.py)
    _record_decision(session, actor, order, req, decision)
    session.flush()
    return order
