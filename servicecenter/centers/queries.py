"""Reading service centers: which are active, and which may repair a brand near a caller."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.centers.models import ServiceCenter, center_brands


class Nearness(StrEnum):
    CITY = "city"  # in the caller's city
    REGION = "region"  # elsewhere in the caller's region
    ELSEWHERE = "elsewhere"


@dataclass(frozen=True)
class NearbyCenter:
    center: ServiceCenter
    nearness: Nearness


def _fold(place: str | None) -> str:
    """A place name compared without case, blanks or ё/е differences ("г. Москва" is "Москва")."""
    text = " ".join((place or "").replace("ё", "е").replace("Ё", "Е").split()).casefold()
    for prefix in ("г. ", "г.", "город "):
        if text.startswith(prefix):
            text = text[len(prefix):].strip()
    return text


def list_active_centers(session: Session) -> list[ServiceCenter]:
    """Every active center of the network (as the session's scope sees it), by name."""
    return list(session.scalars(select(ServiceCenter).where(ServiceCenter.active.is_(True))
                                .order_by(ServiceCenter.name, ServiceCenter.id)))


def is_authorised(session: Session, center_id: int, manufacturer_id: int) -> bool:
    """Whether the center is authorised to repair the manufacturer's units."""
    return session.scalar(select(center_brands.c.center_id).where(
        center_brands.c.center_id == center_id, center_brands.c.manufacturer_id == manufacturer_id)) is not None


def list_authorised_centers(session: Session, manufacturer_id: int, *, city: str = "",
                            region: str = "") -> list[NearbyCenter]:
    """Active centers authorised for the brand: the caller's city first, then the region, then the rest.

    Own and partner centers both qualify. A city with a center of the network also tells its
    region; a region typed into the city field counts as the region. Each group is by name.
    """
    centers = list_active_centers(session)  # a network has tens of centers; Cyrillic is compared in Python
    authorised = set(session.scalars(select(center_brands.c.center_id).where(
        center_brands.c.manufacturer_id == manufacturer_id)))
    city_key, region_key = _fold(city), _fold(region)
    regions = {region_key} if region_key else set()
    if city_key:
        regions.add(city_key)
        regions.update(_fold(c.region) for c in centers if _fold(c.city) == city_key)
    regions.discard("")

    def nearness(center: ServiceCenter) -> Nearness:
        if city_key and _fold(center.city) == city_key:
            return Nearness.CITY
        if regions and _fold(center.region) in regions:
            return Nearness.REGION
        return Nearness.ELSEWHERE

    order = list(Nearness)
    found = [NearbyCenter(c, nearness(c)) for c in centers if c.id in authorised]
    found.sort(key=lambda n: (order.index(n.nearness), n.center.name.casefold(), n.center.id))
    return found


def list_places(session: Session) -> tuple[list[str], list[str]]:
    """The cities and the regions of the active centers (for suggestions as the operator types)."""
    rows = session.execute(select(ServiceCenter.city, ServiceCenter.region)
                           .where(ServiceCenter.active.is_(True))).all()
    cities = sorted({c for c, _ in rows if c}, key=str.casefold)
    regions = sorted({r for _, r in rows if r}, key=str.casefold)
    return cities, regions

