"""Manufacturers (brands) and product models with their warranty terms."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicecenter.db import Base
from servicecenter.scoping import network_wide


@network_wide("the brand catalogue is shared by the whole network")
class Manufacturer(Base):
    __tablename__ = "manufacturers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    country: Mapped[str] = mapped_column(String(80), default="")
    # Months of warranty when a model names none (the manufacturer's general rule).
    default_warranty_months: Mapped[int] = mapped_column(default=12)
    active: Mapped[bool] = mapped_column(default=True)

    models: Mapped[list[ProductModel]] = relationship(back_populates="manufacturer", order_by="ProductModel.name")

    def __repr__(self) -> str:
        return f"<Manufacturer {self.name}>"


@network_wide("the model catalogue is shared by the whole network")
class ProductModel(Base):
    __tablename__ = "product_models"
    __table_args__ = (UniqueConstraint("manufacturer_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("manufacturers.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(80), index=True)
    warranty_months: Mapped[int] = mapped_column(default=12)
    active: Mapped[bool] = mapped_column(default=True)

    manufacturer: Mapped[Manufacturer] = relationship(back_populates="models")

    def __repr__(self) -> str:
        return f"<ProductModel {self.name}>"
