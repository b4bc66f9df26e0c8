"""Order numbers: readable, per center and year, never duplicated under concurrent intakes."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime

from sqlalchemy import select

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import ServiceCenter
from servicecenter.customers.models import Customer
from servicecenter.equipment.models import Unit
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.numbering import next_order_number
from servicecenter.repairs.services import create_order
from tests.factories import Factory


def test_numbers_count_up_per_center(session, factory) -> None:  # noqa: ANN001
    msk, spb = factory.center("MSK"), factory.center("SPB")
    numbers = [factory.order(msk).number for _ in range(3)] + [factory.order(spb).number]
    year = datetime.now(UTC).year
    assert numbers == [f"MSK-{year}-000001", f"MSK-{year}-000002", f"MSK-{year}-000003", f"SPB-{year}-000001"]
    assert all(re.fullmatch(r"[A-Z0-9]+-\d{4}-\d{6}", n) for n in numbers)


def test_the_year_is_the_centers_local_year(session, factory) -> None:  # noqa: ANN001
    msk = factory.center("MSK", timezone="Europe/Moscow")
    nyc = factory.center("NYC", timezone="America/New_York")
    new_year_eve = datetime(2026, 12, 31, 21, 30, tzinfo=UTC)  # 00:30 on 1 January in Moscow
    assert next_order_number(session, msk, new_year_eve) == "MSK-2027-000001"
    assert next_order_number(session, nyc, new_year_eve) == "NYC-2026-000001"
    assert next_order_number(session, msk, new_year_eve) == "MSK-2027-000002"


def test_concurrent_intakes_never_share_a_number(committed_database) -> None:  # noqa: ANN001
    with committed_database.unit_of_work() as s:
        f = Factory(s)
        center = f.center("CNC")
        clerk = f.staff(center, Role.INTAKE)
        customer = f.customer()
        units = [f.unit(owner=customer) for _ in range(2)]
        ids = (center.id, clerk.id, customer.id, [u.id for u in units])

    threads, per_thread, errors = 6, 15, []
    barrier = threading.Barrier(threads)

    def clerk_at_counter(k: int) -> None:
        barrier.wait()
        try:
            for _ in range(per_thread):
                with committed_database.unit_of_work() as s:
                    from servicecenter.accounts.models import User

                    create_order(s, s.get(User, ids[1]), center=s.get(ServiceCenter, ids[0]),
                                 customer=s.get(Customer, ids[2]), unit=s.get(Unit, ids[3][k % 2]), fault="Не греет")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    workers = [threading.Thread(target=clerk_at_counter, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    with committed_database.unit_of_work() as s:
        numbers = list(s.scalars(select(RepairOrder.number).where(RepairOrder.center_id == ids[0])))
    assert len(numbers) == threads * per_thread
    assert len(set(numbers)) == len(numbers)
    year = datetime.now(UTC).year
    assert sorted(numbers) == [f"CNC-{year}-{i:06d}" for i in range(1, threads * per_thread + 1)]
