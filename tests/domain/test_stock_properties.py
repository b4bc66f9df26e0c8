"""Property: whatever sequence of moves is tried, stock never goes negative, a refused move changes
nothing, and the cached levels and unit locations always agree with the journal."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from servicecenter.centers.models import Location, LocationKind
from servicecenter.errors import ValidationFailed
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason, Part, StockLevel

_skus = itertools.count(1)
PLACES = 3  # a warehouse and two shelves; None is outside the network

move = st.tuples(
    st.sampled_from(["parts", "unit"]),
    st.integers(0, 1),  # which part / unit
    st.one_of(st.none(), st.integers(0, PLACES - 1)),  # source (parts only)
    st.one_of(st.none(), st.integers(0, PLACES - 1)),  # target
    st.integers(1, 6),
)


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(move, max_size=25))
def test_random_moves_never_go_negative_and_always_agree_with_the_journal(session, factory, moves) -> None:  # noqa: ANN001
    center = session.info.get("prop_center")
    if center is None:
        center = session.info["prop_center"] = factory.center("PRP")
        session.info["prop_places"] = [center.locations[0]] + [
            Location(code=f"PRP-S{i}", name=f"Полка {i}", kind=LocationKind.SHELF, center_id=center.id,
                     parent_id=center.locations[0].id) for i in (1, 2)]
        session.add_all(session.info["prop_places"][1:])
        session.flush()
    places = session.info["prop_places"]
    parts = [Part(sku=f"PROP-{next(_skus)}", name="Деталь") for _ in range(2)]
    session.add_all(parts)
    session.flush()
    units = [factory.unit() for _ in range(2)]
    model: dict[tuple[int, int], int] = {}
    where: dict[int, int | None] = {u.id: None for u in units}
    for kind, which, source, target, qty in moves:
        if kind == "unit":
            unit = units[which]
            if target is None:
                continue
            try:
                journal.move_unit(session, None, unit, places[target], MoveReason.TRANSFER)
            except ValidationFailed:
                assert where[unit.id] == places[target].id  # only a move to where it already is
                continue
            where[unit.id] = places[target].id
            continue
        part = parts[which]
        src = places[source] if source is not None else None
        dst = places[target] if target is not None else None
        have = model.get((source, which), 0) if source is not None else None
        try:
            journal.move_parts(session, None, part, qty, source=src, target=dst, reason=MoveReason.ADJUSTMENT)
        except ValidationFailed:
            assert src is None and dst is None or src is dst or (have is not None and have < qty)
            continue
        assert have is None or have >= qty
        if source is not None:
            model[(source, which)] -= qty
        if target is not None:
            model[(target, which)] = model.get((target, which), 0) + qty
    levels = {(loc, part): q for loc, part, q in session.execute(
        select(StockLevel.location_id, StockLevel.part_id, StockLevel.quantity)
        .where(StockLevel.part_id.in_([p.id for p in parts])))}
    assert all(q >= 0 for q in levels.values())
    expected = {(places[s].id, parts[w].id): q for (s, w), q in model.items() if q}
    assert {k: v for k, v in levels.items() if v} == expected
    assert {u.id: u.location_id for u in units} == where
    assert journal.check_stock(session) == []
