"""Builders for test data, going through the domain's own services wherever one exists."""

from __future__ import annotations

import itertools
import re
from typing import Any

from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.accounts.services import create_user
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import CenterKind, Location, LocationKind, ServiceCenter
from servicecenter.customers.models import Customer
from servicecenter.customers.services import create_customer
from servicecenter.equipment.models import Unit
from servicecenter.equipment.services import register_unit
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.services import create_order
from servicecenter.repairs.states import RepairState
from servicecenter.repairs.walk import advance_to, role_picker
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason
from servicecenter.stock.places import customer_location

PASSWORD = "correct-horse-42"
_seq = itertools.count(1)


class Factory:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._staff: dict[tuple[int, Role], User] = {}

    def center(self, code: str | None = None, kind: CenterKind = CenterKind.OWN, **kw: Any) -> ServiceCenter:
        n = next(_seq)
        code = code or f"C{n:03d}"
        center = ServiceCenter(code=code, name=kw.pop("name", f"Сервисный центр {code}"), kind=kind,
                               city=kw.pop("city", "Москва"), **kw)
        self.session.add(center)
        self.session.flush()
        self.session.add(Location(code=f"{code}-WH", name=f"Склад {code}", kind=LocationKind.WAREHOUSE,
                                  center_id=center.id, is_main=True))
        self.session.flush()
        return center

    def user(self, center: ServiceCenter, role: Role, email: str | None = None, name: str = "") -> User:
        n = next(_seq)
        return create_user(self.session, None, email=email or f"{role.value}{n}@example.test", password=PASSWORD,
                           role=role, center=center, name=name or f"{role.value} {n}")

    def staff(self, center: ServiceCenter, role: Role) -> User:
        """One user per center and role, made on first use."""
        key = (center.id, role)
        if key not in self._staff:
            self._staff[key] = self.user(center, role)
        return self._staff[key]

    def manufacturer(self, name: str | None = None) -> Manufacturer:
        m = Manufacturer(name=name or f"Бренд {next(_seq)}")
        self.session.add(m)
        self.session.flush()
        return m

    def model(self, manufacturer: Manufacturer | None = None, months: int = 12, category: str = "Стиральные машины",
              name: str | None = None) -> ProductModel:
        manufacturer = manufacturer or self.manufacturer()
        pm = ProductModel(manufacturer_id=manufacturer.id, name=name or f"Модель {next(_seq)}", category=category,
                          warranty_months=months)
        self.session.add(pm)
        self.session.flush()
        return pm

    def customer(self, name: str = "Иванов Иван Иванович", phone: str | None = None) -> Customer:
        return create_customer(self.session, name=name, phone=phone or f"+7916{next(_seq):07d}")

    def unit(self, model: ProductModel | None = None, serial: str | None = None, owner: Customer | None = None) -> Unit:
        return register_unit(self.session, model=model or self.model(), serial=serial or f"SN{next(_seq):08d}",
                             owner=owner)

    def order(self, center: ServiceCenter, state: RepairState = RepairState.RECEIVED,
              customer: Customer | None = None, unit: Unit | None = None, **kw: Any) -> RepairOrder:
        """An order of `center` walked through real transitions to `state`."""
        customer = customer or self.customer()
        pre = state == RepairState.REGISTERED
        clerk = self.staff(center, Role.PARTNER if center.kind == CenterKind.PARTNER else Role.INTAKE)
        order = create_order(self.session, clerk, center=center, customer=customer,
                             unit=None if pre else (unit or self.unit(owner=customer)),
                             fault=kw.pop("fault", "Не включается"), pre_register=pre, **kw)
        if state not in (RepairState.RECEIVED, RepairState.REGISTERED):
            roles = [Role.PARTNER] if center.kind == CenterKind.PARTNER else [
                Role.ENGINEER, Role.INTAKE, Role.TEAM_LEAD, Role.CALL_CENTER]
            advance_to(self.session, order, state, role_picker({r: self.staff(center, r) for r in roles}))
        if state == RepairState.ISSUED and order.unit is not None:  # handed back: the unit is with the customer
            journal.move_unit(self.session, None, order.unit, customer_location(self.session),
                              MoveReason.HANDOVER, order=order, history=False)
        return order


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client: Any, email: str, password: str = PASSWORD, follow: bool = False) -> Any:
    """Log in through the real form, CSRF token included."""
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       follow_redirects=follow)


def bearer(client: Any, email: str) -> str:
    """Make every later request of `client` carry a fresh API token of this user (the API reads the
    Bearer token only, never the session cookie); returns the token."""
    from servicecenter.accounts.services import get_user_by_email
    from servicecenter.accounts.tokens import create_token

    with client.application.extensions["servicecenter.db"].unit_of_work() as session:
        _row, secret = create_token(session, None, get_user_by_email(session, email))
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return secret
