"""Statement and claim → the printable `SettlementDoc` (PDF and CSV render from the same data)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from printing.settlements import Party, SettlementDoc, SettlementRow
from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import local_date, utcnow
from servicecenter.settlements import claims, statements
from servicecenter.settlements.models import (
    ClaimLine,
    ClaimState,
    DisputeState,
    ManufacturerClaim,
    PartnerStatement,
    PricedLine,
    StatementLine,
    StatementState,
    Verdict,
)
from servicecenter.settlements.periods import period_label

STATEMENT_STATE = {StatementState.OPEN: "открыт", StatementState.APPROVED: "утверждён", StatementState.PAID: "оплачен"}
CLAIM_STATE = {ClaimState.OPEN: "формируется", ClaimState.SUBMITTED: "направлена производителю",
               ClaimState.PAID: "оплачена"}
STATEMENT_TITLE = "Акт-отчёт о гарантийных ремонтах"
CLAIM_TITLE = "Гарантийная претензия"


def statement_number(statement: PartnerStatement) -> str:
    return f"ST-{statement.center.code}-{statement.period}"


def claim_number(claim: ManufacturerClaim) -> str:
    return f"WC-{claim.period}-{claim.id:04d}"


def _head_office(session: Session) -> ServiceCenter | None:
    return session.scalars(select(ServiceCenter).where(ServiceCenter.is_head_office.is_(True))
                           .order_by(ServiceCenter.id).limit(1)).first()


def _party(center: ServiceCenter | None) -> Party:
    if center is None:
        return Party(name="Головной офис сети")
    details = ", ".join(p for p in (center.address or center.city, center.phone and f"тел. {center.phone}") if p)
    return Party(name=center.name, details=details)


def _unit(line: PricedLine) -> str:
    unit = line.order.unit  # type: ignore[attr-defined]
    if unit is None:
        return "—"
    return f"{unit.manufacturer.name} {unit.model.name}, с/н {unit.serial}"


def _parts_note(line: PricedLine) -> str:
    used = "; ".join(f"{p['sku']} × {p['quantity']}" for p in line.parts_detail or [])
    return f"Запчасти: {used}" if used else ""


def _row(line: PricedLine, *, counts: bool, note: str, center: str = "") -> SettlementRow:
    return SettlementRow(order_number=line.order.number, completed=line.completed_on,  # type: ignore[attr-defined]
                         unit=_unit(line), category=line.category, center=center, labour=line.labour,
                         travel=line.travel, parts=line.parts, net=line.net, vat_rate=line.vat_rate, vat=line.vat,
                         total=line.total, counts=counts, note=note)


def statement_line_note(line: StatementLine) -> str:
    """What a statement line's note says: no rate, the dispute and how it was settled, the parts."""
    notes = ["Нет ставки на дату выполнения"] if line.no_rate else []
    if line.dispute == DisputeState.DISPUTED:
        notes.append(f"Оспорена: {line.dispute_reason}")
    elif line.dispute == DisputeState.ACCEPTED:
        notes.append(f"Спор снят, строка принята ({line.dispute_reason})")
    elif line.dispute == DisputeState.REJECTED:
        notes.append(f"Отклонена: {line.resolution_note} (спор: {line.dispute_reason})")
    notes.append(_parts_note(line))
    return "; ".join(n for n in notes if n)


def build_statement_doc(session: Session, statement: PartnerStatement, today: date | None = None) -> SettlementDoc:
    """The partner's statement as printed: every line, the rejected ones struck out of the total."""
    figures = statements.totals(statement)
    center = statement.center
    notes: list[tuple[str, str]] = []
    if statement.approved_at is not None:
        notes.append(("Утверждён", local_date(statement.approved_at, center.timezone).strftime("%d.%m.%Y")))
    if statement.state == StatementState.PAID and statement.payment_date is not None:
        notes.append(("Оплата", f"{statement.payment_date:%d.%m.%Y}, {statement.payment_reference}"))
    rows = tuple(_row(line, counts=line.counts, note=statement_line_note(line)) for line in statement.lines)
    return SettlementDoc(title=STATEMENT_TITLE, number=statement_number(statement),
                         period=period_label(statement.period),
                         issued=today or local_date(utcnow(), center.timezone), payee=_party(center),
                         payer=_party(_head_office(session)), state=STATEMENT_STATE[statement.state], lines=rows,
                         net=figures.net, vat=figures.vat, total=figures.total, notes=tuple(notes),
                         signers=("Исполнитель (партнёр)", "Заказчик (головной офис)"))


def claim_line_note(line: ClaimLine, defective: list[claims.DefectivePart]) -> str:
    """A claim line's note: no rate, the verdict and its reason, the parts used, where the defective parts are."""
    notes = ["Нет ставки на дату выполнения"] if line.no_rate else []
    if line.verdict == Verdict.ACCEPTED:
        notes.append("Принята производителем")
    elif line.verdict == Verdict.REJECTED:
        notes.append(f"Отклонена производителем: {line.verdict_reason}")
    notes.append(_parts_note(line))
    for item in defective:
        where = f"партия {item.shipment.number}" if item.shipment is not None else (
            item.location.code if item.location is not None else "—")
        notes.append(f"Дефектная деталь {item.part.sku} × {item.quantity}: {where}")
    return "; ".join(n for n in notes if n)


def build_claim_doc(session: Session, claim: ManufacturerClaim, today: date | None = None) -> SettlementDoc:
    """The warranty claim as printed: every line claimed; the verdicts and the accepted sum under the totals."""
    figures = claims.totals(claim)
    head = _head_office(session)
    defective = claims.defective_parts(session, list(claim.lines))
    rows = tuple(_row(line, counts=True, note=claim_line_note(line, defective.get(line.id, [])),
                      center=line.center.code) for line in claim.lines)
    extra: list[tuple[str, object]] = []
    if claim.state != ClaimState.OPEN:
        extra += [("Принято производителем", figures.accepted), ("Отклонено производителем", figures.rejected)]
    notes: list[tuple[str, str]] = []
    if claim.state == ClaimState.PAID and claim.payment_date is not None:
        notes.append(("Оплата", f"{claim.payment_date:%d.%m.%Y}, {claim.payment_reference}"))
        extra.append(("Оплачено", claim.paid_amount))
    manufacturer = claim.manufacturer
    return SettlementDoc(title=CLAIM_TITLE, number=claim_number(claim), period=period_label(claim.period),
                         issued=today or local_date(utcnow(), head.timezone if head else "Europe/Moscow"),
                         payee=_party(head), payer=Party(name=manufacturer.name, details=manufacturer.country),
                         state=CLAIM_STATE[claim.state], lines=rows, net=figures.net, vat=figures.vat,
                         total=figures.total, extra=tuple(extra), notes=tuple(notes),  # type: ignore[arg-type]
                         signers=("Сервисная сеть", "Производитель"))
