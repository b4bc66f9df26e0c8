"""Reading service centers: which are active, and which may repair a brand near a caller."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.centers.models import CenterKind, ServiceCenter, center_brands


class Nearness(StrEnum):
    CITY = "city"  # in the caller's city
    REGION = "region"  # elsewhere in the caller's region
    ELSEWHERE = "elsewhere"


@dataclass(frozen=True)
class NearbyCenter:
    center: ServiceCenter
    nearness: Nearness


@lru_cache(maxsize=4096)
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


_CENTERS = ServiceCenter.__table__.c
_PLACES = select(_CENTERS.city, _CENTERS.region).where(_CENTERS.active.is_(True))


def list_authorised_centers(session: Session, manufacturer_id: int, *, city: str = "", region: str = "",
                            kind: CenterKind | None = None, besides: int | None = None) -> list[NearbyCenter]:
    """Active centers authorised for the brand: the caller's city first, then the region, then the rest.

    Own and partner centers both qualify (`kind` keeps one of them; `besides` leaves one center
    out). Without a region, a city with a center of the network tells its region; a region typed
    into the city field counts as the region. Each group is by name. Only the authorised centers
    are loaded as objects.
    """
    query = (select(ServiceCenter).join(center_brands, center_brands.c.center_id == ServiceCenter.id)
             .where(center_brands.c.manufacturer_id == manufacturer_id, ServiceCenter.active.is_(True)))
    if kind is not None:
        query = query.where(ServiceCenter.kind == kind)
    if besides is not None:
        query = query.where(ServiceCenter.id != besides)
    centers = list(session.scalars(query))  # tens of centers; Cyrillic is compared in Python
    if not centers:
        return []
    city_key, region_key = _fold(city), _fold(region)
    regions = {region_key} if region_key else set()
    if city_key:
        regions.add(city_key)
    if city_key and not region_key:
        # Plain rows on the session's connection: the places only order the list, and the ORM's
        # work on 300 rows was a third of the routing section's time (issue 10). With the region
        # given (the order's own center), it is not looked up.
        places = session.connection().execute(_PLACES).all()
        regions.update(_fold(r) for c, r in places if _fold(c) == city_key)
    regions.discard("")

    def nearness(center: ServiceCenter) -> Nearness:
        if city_key and _fold(center.city) == city_key:
            return Nearness.CITY
        if regions and _fold(center.region) in regions:
            return Nearness.REGION
        return Nearness.ELSEWHERE

    order = list(Nearness)
    found = [NearbyCenter(c, nearness(c)) for c in centers]
    found.sort(key=lambda n: (order.index(n.nearness), n.center.name.casefold(), n.center.id))
    return found


def list_places(session: Session) -> tuple[list[str], list[str]]:
    """The cities and the regions of the active centers (for suggestions as the operator types)."""
    rows = session.execute(select(ServiceCenter.city, ServiceCenter.region)
                           .where(ServiceCenter.active.is_(True))).all()
    cities = sorted({c for c, _ in rows if c}, key=str.casefold)
    regions = sorted({r for _, r in rows if r}, key=str.casefold)
    return cities, regions

