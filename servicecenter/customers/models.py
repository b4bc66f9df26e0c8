"""Customers (people and companies), their contacts and service contracts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.clock import utcnow
from servicecenter.db import Base, needs_pg_trgm, postgresql_index, str_enum
from servicecenter.scoping import center_owned


class CustomerKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"


# Languages we write to customers in.
CUSTOMER_LANGUAGES = ("ru", "en")


class ContractKind(StrEnum):
    EXTENDED_WARRANTY = "extended_warranty"
    MAINTENANCE = "maintenance"


def _customers_of_center(cid: int):  # noqa: ANN202
    from servicecenter.repairs.models import RepairOrder

    return select(RepairOrder.customer_id).where(RepairOrder.center_id == cid).scalar_subquery()


# A partner sees the customers of the orders routed to it, nobody else.
@center_owned(lambda cls, cid: cls.id.in_(_customers_of_center(cid)))
class Customer(Base):
    __tablename__ = "customers"
    # Search as you type: any part of a name or of the phone's digits (measured at 600,000 customers).
    __table_args__ = (
        postgresql_index("ix_customers_name_trgm", "name", postgresql_using="gin",
                         postgresql_ops={"name": "gin_trgm_ops"}),
        postgresql_index("ix_customers_phone_trgm", "phone", postgresql_using="gin",
                         postgresql_ops={"phone": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CustomerKind] = mapped_column(str_enum(CustomerKind), default=CustomerKind.PERSON)
    name: Mapped[str] = mapped_column(String(200), index=True)
    phone: Mapped[str] = mapped_column(String(32), index=True, default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    tax_id: Mapped[str] = mapped_column(String(20), default="")  # ИНН for companies
    address: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    notifications_opt_out: Mapped[bool] = mapped_column(default=False)
    # The language we write to the customer in (see CUSTOMER_LANGUAGES).
    language: Mapped[str] = mapped_column(String(8), default="ru", server_default="ru")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contacts: Mapped[list[Contact]] = relationship(back_populates="customer", order_by="Contact.id")
    contracts: Mapped[list[ServiceContract]] = relationship(back_populates="customer")

    def __repr__(self) -> str:
        return f"<Customer {self.id} {self.name}>"


@center_owned(lambda cls, cid: cls.customer_id.in_(_customers_of_center(cid)))
class Contact(Base):
    """A person to talk to at a customer (a company's contact, a relative...)."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[str] = mapped_column(String(100), default="")

    customer: Mapped[Customer] = relationship(back_populates="contacts")


@center_owned(lambda cls, cid: cls.customer_id.in_(_customers_of_center(cid)))
class ServiceContract(Base):
    """An extended warranty or a maintenance agreement, with its own deadline terms."""

    __tablename__ = "service_contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[ContractKind] = mapped_column(str_enum(ContractKind))
    valid_from: Mapped[date]
    valid_to: Mapped[date]
    diagnosis_days: Mapped[int | None]
    repair_days: Mapped[int | None]
    notes: Mapped[str] = mapped_column(Text, default="")

    customer: Mapped[Customer] = relationship(back_populates="contracts")

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


needs_pg_trgm(Customer.__table__)
