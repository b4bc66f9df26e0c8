"""The journal: parts and units move only through it, the stock levels follow it, never go negative,
and `check_stock` finds any cached figure that disagrees with it."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import Location, LocationKind
from servicecenter.equipment.models import Unit
from servicecenter.errors import ValidationFailed
from servicecenter.repairs.models import EventKind, RepairEvent
from servicecenter.scoping import Scope, set_scope
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason, StockLevel, StockMove
from tests.domain.test_estimates import make_part


@pytest.fixture
def center(factory):  # noqa: ANN001, ANN201
    return factory.center("JRN")


@pytest.fixture
def clerk(factory, center):  # noqa: ANN001, ANN201
    return factory.staff(center, Role.WAREHOUSE)


def shelf(session, center, code: str = "JRN-A1") -> Location:  # noqa: ANN001
    loc = Location(code=code, name=f"Полка {code}", kind=LocationKind.SHELF, center_id=center.id,
                   parent_id=center.locations[0].id)
    session.add(loc)
    session.flush()
    return loc


def test_receipt_put_away_and_issue_follow_the_journal(session, center, clerk) -> None:  # noqa: ANN001
    part, main = make_part(session), center.locations[0]
    a1 = shelf(session, center)
    journal.move_parts(session, clerk, part, 10, source=None, target=main, reason=MoveReason.RECEIPT)
    journal.move_parts(session, clerk, part, "4", source=main, target=a1, reason=MoveReason.PUT_AWAY)
    journal.move_parts(session, clerk, part, 1, source=a1, target=None, reason=MoveReason.ISSUE)
    assert journal.on_hand(session, main.id, part.id) == 6
    assert journal.on_hand(session, a1.id, part.id) == 3
    assert len(list(session.scalars(select(StockMove).where(StockMove.part_id == part.id)))) == 3
    assert journal.check_stock(session) == []


def test_taking_more_than_is_there_is_refused_with_what_is_there(session, center, clerk) -> None:  # noqa: ANN001
    part, main = make_part(session), center.locations[0]
    journal.move_parts(session, clerk, part, 2, source=None, target=main, reason=MoveReason.RECEIPT)
    with pytest.raises(ValidationFailed) as err:
        journal.move_parts(session, clerk, part, 3, source=main, target=None, reason=MoveReason.ISSUE)
    assert "Only 2 of" in str(err.value) and part.sku in str(err.value) and main.code in str(err.value)
    empty = shelf(session, center)
    with pytest.raises(ValidationFailed, match="Only 0 of"):
        journal.move_parts(session, clerk, part, 1, source=empty, target=main, reason=MoveReason.TRANSFER)
    assert journal.on_hand(session, main.id, part.id) == 2
    assert len(list(session.scalars(select(StockMove).where(StockMove.part_id == part.id)))) == 1


@pytest.mark.parametrize("qty", [0, -1, "abc", None, 10**9])
def test_a_quantity_must_be_a_positive_whole_number(session, center, clerk, qty) -> None:  # noqa: ANN001
    part = make_part(session)
    with pytest.raises(ValidationFailed):
        journal.move_parts(session, clerk, part, qty, source=None, target=center.locations[0],
                           reason=MoveReason.RECEIPT)


def test_a_move_to_where_it_is_is_refused(session, center, clerk) -> None:  # noqa: ANN001
    part, main = make_part(session), center.locations[0]
    with pytest.raises(ValidationFailed, match="already at"):
        journal.move_parts(session, clerk, part, 1, source=main, target=main, reason=MoveReason.TRANSFER)
    with pytest.raises(ValidationFailed):
        journal.move_parts(session, clerk, part, 1, source=None, target=None, reason=MoveReason.ADJUSTMENT)


def test_units_move_one_at_a_time_and_the_order_history_shows_it(session, factory, center, clerk) -> None:  # noqa: ANN001
    order = factory.order(center)
    unit, main = order.unit, center.locations[0]
    a1 = shelf(session, center)
    journal.move_unit(session, clerk, unit, main, MoveReason.INTAKE, order=order) if unit.location_id != main.id \
        else None
    journal.move_unit(session, clerk, unit, a1, MoveReason.PUT_AWAY, order=order)
    assert unit.location_id == a1.id
    trail = journal.unit_trail(session, unit.id)
    assert trail[-1].to_location.code == "JRN-A1" and trail[-1].reason == MoveReason.PUT_AWAY
    events = list(session.scalars(select(RepairEvent).where(RepairEvent.order_id == order.id,
                                                            RepairEvent.kind == EventKind.LOCATION)))
    assert events[-1].to_value == "JRN-A1" and events[-1].from_value == main.code
    with pytest.raises(ValidationFailed, match="already at"):
        journal.move_unit(session, clerk, unit, a1, MoveReason.PUT_AWAY)
    assert journal.check_stock(session) == []


def test_check_stock_finds_a_level_or_a_unit_that_disagrees_with_the_journal(session, factory, center,
                                                                              clerk) -> None:  # noqa: ANN001
    part, main = make_part(session), center.locations[0]
    journal.move_parts(session, clerk, part, 5, source=None, target=main, reason=MoveReason.RECEIPT)
    session.execute(update(StockLevel).where(StockLevel.part_id == part.id).values(quantity=7))
    order = factory.order(center)
    a1 = shelf(session, center)
    journal.move_unit(session, clerk, order.unit, a1, MoveReason.PUT_AWAY, order=order)
    order.unit.location_id = main.id  # edited in place, behind the journal's back
    session.flush()
    found = journal.check_stock(session)
    kinds = {(d.kind, d.item_id) for d in found}
    assert ("part", part.id) in kinds and ("unit", order.unit.id) in kinds
    assert any(d.journal == 5 and d.cached == 7 for d in found)


def test_a_partner_can_take_parts_out_of_a_transit_location(session, factory, clerk, center) -> None:  # noqa: ANN001
    """The journal does not apply the partner wall itself: a transit location belongs to no center."""
    from servicecenter.centers.models import CenterKind

    partner = factory.center("PJR", kind=CenterKind.PARTNER)
    part = make_part(session)
    transit = Location(code="TR-X", name="В пути", kind=LocationKind.TRANSIT)
    session.add(transit)
    session.flush()
    journal.move_parts(session, clerk, part, 3, source=None, target=transit, reason=MoveReason.SHIPMENT)
    set_scope(session, Scope(partner.id))
    user = factory.staff(partner, Role.PARTNER)
    journal.move_parts(session, user, part, 3, source=transit, target=partner.locations[0],
                       reason=MoveReason.SHIPMENT)
    set_scope(session, Scope())
    assert journal.on_hand(session, partner.locations[0].id, part.id) == 3
    assert journal.check_stock(session) == []


def test_the_stock_check_command_lists_disagreements_and_fails(tmp_path) -> None:  # noqa: ANN001
    from click.testing import CliRunner

    from servicecenter.cli import main
    from servicecenter.db import Base, Database
    from tests.factories import Factory

    url = f"sqlite:///{tmp_path / 'check.db'}"
    database = Database(url)
    Base.metadata.create_all(database.engine)
    with database.unit_of_work() as s:
        center = Factory(s).center("CLI")
        part = make_part(s)
        journal.move_parts(s, None, part, 3, source=None, target=center.locations[0], reason=MoveReason.RECEIPT)
    env = {"DATABASE_URL": url, "SECRET_KEY": "x" * 32, "SERVICECENTER_INSTANCE": str(tmp_path)}
    ok = CliRunner().invoke(main, ["stock-check"], env=env)
    assert ok.exit_code == 0 and "agree" in ok.output
    with database.unit_of_work() as s:
        s.execute(update(StockLevel).values(quantity=1))
    bad = CliRunner().invoke(main, ["stock-check"], env=env)
    assert bad.exit_code == 1 and "journal 3, stock level 1" in bad.output
    database.dispose()


def test_many_units_move_set_based_with_their_trails_and_history(session, factory, center, clerk) -> None:  # noqa: ANN001
    orders = [factory.order(center) for _ in range(5)]
    loose = factory.unit()  # never received anywhere
    a1 = shelf(session, center)
    journal.move_unit(session, clerk, orders[0].unit, a1, MoveReason.PUT_AWAY)  # one comes from another place
    transit = Location(code="TR-BULK", name="В пути", kind=LocationKind.TRANSIT)
    session.add(transit)
    session.flush()
    moved = journal.move_units(session, clerk, [(o.unit, o) for o in orders] + [(loose, None)], transit,
                               MoveReason.SHIPMENT)
    assert moved == 6
    assert {o.unit.location_id for o in orders} | {loose.location_id} == {transit.id}
    assert journal.unit_trail(session, orders[0].unit.id)[-1].from_location_id == a1.id
    event = session.scalars(select(RepairEvent).where(RepairEvent.order_id == orders[0].id,
                                                      RepairEvent.kind == EventKind.LOCATION)).all()[-1]
    assert (event.from_value, event.to_value) == ("JRN-A1", "TR-BULK")
    assert journal.check_stock(session) == []
    with pytest.raises(ValidationFailed, match="already at TR-BULK"):
        journal.move_units(session, clerk, [(loose, None)], transit, MoveReason.SHIPMENT)


def test_a_bulk_move_is_refused_whole_when_a_unit_moved_meanwhile(session, factory, center, clerk) -> None:  # noqa: ANN001
    from servicecenter.errors import ConcurrentUpdate

    orders = [factory.order(center) for _ in range(3)]
    a1 = shelf(session, center)
    seen = orders[1].unit.location_id
    session.execute(update(Unit).where(Unit.id == orders[1].unit.id).values(location_id=a1.id)
                    .execution_options(synchronize_session=False))  # another clerk, a moment ago
    assert orders[1].unit.location_id == seen  # this clerk's session still has it where it was
    with pytest.raises(ConcurrentUpdate):
        journal.move_units(session, clerk, [(o.unit, o) for o in orders], a1, MoveReason.PUT_AWAY)
