"""Repair orders and their history, each order walked along real edges of the state table.

Orders are made oldest first (ids follow time, as in production). An order's state comes
from its age: old ones are issued or cancelled, recent ones spread over the open states.
Its route is one of the demo's (`servicecenter.demo.ROUTES`) expanded with `path_to`, so
every state event is an edge the table allows, taken by a role the table admits, and the
order's timestamps (received, ready, issued, updated) are those of its events. Events are
written in time order across orders (day buckets), so their ids follow time too.
"""

from __future__ import annotations

import random
import time
from array import array
from dataclasses import dataclass, field
from itertools import accumulate

from bench.gen_network import Network
from bench.gen_people import People
from bench.gen_texts import Texts, details
from bench.pgload import NULL, CopyStream, Timestamps
from bench.plan import DAY, EVENTS_PER_ORDER, Counts, OrderSlots
from servicecenter.accounts.roles import Role
from servicecenter.demo import ROUTES
from servicecenter.repairs.repeats import REPEAT_DAYS
from servicecenter.repairs.states import FINAL_STATES, RepairState, Transition, path_to

S = RepairState
HOURS = {"receive": (0.5, 72), "start_diagnosis": (1, 48), "request_approval": (1, 24), "start_repair": (1, 24),
         "wait_for_parts": (1, 12), "close_without_repair": (1, 24), "approve": (2, 72),
         "approve_wait_parts": (2, 72), "decline": (2, 72), "parts_arrived": (48, 336),
         "wait_for_more_parts": (4, 48), "finish": (2, 72), "issue": (4, 240), "cancel": (1, 72)}
# Target state by age (days): the last bucket whose bound is >= the age applies.
BY_AGE = (
    (2, {S.REGISTERED: 15, S.RECEIVED: 40, S.DIAGNOSIS: 30, S.AWAITING_APPROVAL: 5, S.IN_REPAIR: 8,
         S.CANCELLED: 2}),
    (10, {S.REGISTERED: 2, S.RECEIVED: 8, S.DIAGNOSIS: 15, S.AWAITING_APPROVAL: 15, S.AWAITING_PARTS: 15,
          S.IN_REPAIR: 20, S.READY_FOR_PICKUP: 15, S.ISSUED: 8, S.CANCELLED: 2}),
    (30, {S.AWAITING_APPROVAL: 3, S.AWAITING_PARTS: 15, S.IN_REPAIR: 10, S.READY_FOR_PICKUP: 15, S.ISSUED: 52,
          S.CANCELLED: 5}),
    (75, {S.AWAITING_PARTS: 5, S.READY_FOR_PICKUP: 5, S.ISSUED: 83, S.CANCELLED: 7}),
    (10**6, {S.ISSUED: 911, S.CANCELLED: 87, S.AWAITING_PARTS: 1, S.READY_FOR_PICKUP: 1}),
)
ORDER_COLUMNS = ("id", "number", "center_id", "intake_center_id", "unit_id", "customer_id", "order_type", "state",
                 "priority", "fault", "condition", "accessories", "warranty_covered", "warranty_reason",
                 "engineer_id", "team", "diagnosis_due", "repair_due", "diagnosis", "estimate_total", "approved",
                 "outcome", "outcome_note", "cancel_reason", "created_at", "received_at", "ready_at", "issued_at",
                 "updated_at", "version", "legal_due", "due_at", "risk_at", "manufacturer_id", "model_id",
                 "repeat_of_id")
EVENT_COLUMNS = ("id", "order_id", "unit_id", "at", "actor_id", "kind", "from_value", "to_value", "details")
MOVE_COLUMNS = ("id", "at", "part_id", "unit_id", "quantity", "from_location_id", "to_location_id", "reason",
                "actor_id", "order_id", "shipment_id", "note")


class Journal:
    """The stock-move journal, written by the orders, the shipments and the restocking in turn."""

    def __init__(self, url: str, ts: Timestamps) -> None:
        self.stream = CopyStream(url, "stock_moves", MOVE_COLUMNS)
        self.ts = ts
        self.last = 0
        self.part_moves = 0  # the plan's `stock_moves` counts these; unit moves come on top

    def add(self, at: int, part: int | str, src: int | str, dst: int | str, reason: str, actor: int,
            order: int | str = NULL, shipment: int | str = NULL, quantity: int = 1) -> None:
        self.last += 1
        self.part_moves += 1
        self.stream.add(f"{self.last}\t{self.ts(at)}\t{part}\t{NULL}\t{quantity}\t{src or NULL}\t{dst or NULL}\t"
                        f"{reason}\t{actor}\t{order}\t{shipment}\t\n")

    def add_unit(self, at: int, unit: int, src: int | str, dst: int, reason: str, actor: int, order: int) -> None:
        """One unit's move (intake at the counter, handover to its customer), as the app writes it."""
        self.last += 1
        self.stream.add(f"{self.last}\t{self.ts(at)}\t{NULL}\t{unit}\t1\t{src or NULL}\t{dst}\t"
                        f"{reason}\t{actor}\t{order}\t{NULL}\t\n")


@dataclass
class OrdersDone:
    location: array  # per unit: where its last move left it (the warehouse, or the customer), else 0
    center_orders: list[tuple[array, array, array]]  # per center: created, order id, unit id (with a unit)
    counters: dict[tuple[int, int], int] = field(default_factory=dict)
    orders: int = 0
    events: int = 0
    moves: int = 0
    seconds: float = 0.0


# The flagship's backlog: at scale 1.0 it keeps 50,000 older orders open (issue 4: the team lead's
# queue must stay fast on a center with 50,000 open orders). They are long overdue.
BACKLOG = 50_000
BACKLOG_AFTER_DAYS = 75
BACKLOG_STATES = {S.RECEIVED: 20, S.DIAGNOSIS: 25, S.AWAITING_APPROVAL: 15, S.AWAITING_PARTS: 25, S.IN_REPAIR: 15}


def _backlog_share(counts: Counts, net: Network, people: People, slots: OrderSlots, times: array,
                   now_ts: int) -> tuple[int, float]:
    """The flagship and the share of its older orders kept open to make its backlog."""
    flagship = max((c for c in net.centers if not net.partner[c]), key=lambda c: net.weight[c])
    bound = now_ts - BACKLOG_AFTER_DAYS * DAY
    older = sum(1 for i in range(counts.orders)
                if times[i] < bound and people.center[people.owner[slots.unit[i]]] == flagship)
    return flagship, min(1.0, BACKLOG * counts.orders / 1_000_000 / max(1, older))


# Deadlines as the default rules give them (servicecenter.deadlines): diagnosis within 3 days,
# repair within 45 days under warranty (the legal limit too) and 20 paid, at risk a day before.
DIAGNOSIS_DAYS, REPAIR_DAYS, LEGAL_DAYS, MARGIN_DAYS = 3, {"warranty": 45, "paid": 20, "presale": 20}, 45, 1
_DIAGNOSIS_STAGE = frozenset({S.RECEIVED, S.DIAGNOSIS})
_REPAIR_STAGE = frozenset({S.AWAITING_APPROVAL, S.AWAITING_PARTS, S.IN_REPAIR})


def due_dates(received: int, otype: str, covered: bool | None, state: RepairState) -> tuple[int, ...]:
    """(diagnosis due, repair due, legal limit, binding due, at risk from) as timestamps, 0 for none."""
    if not received:
        return 0, 0, 0, 0, 0
    diagnosis = received + DIAGNOSIS_DAYS * DAY
    repair = received + REPAIR_DAYS[otype] * DAY
    legal = received + LEGAL_DAYS * DAY if covered else 0
    stage = ((diagnosis, repair, legal) if state in _DIAGNOSIS_STAGE else
             (repair, legal) if state in _REPAIR_STAGE else ())
    due = min((d for d in stage if d), default=0)
    return diagnosis, repair, legal, due, (due - MARGIN_DAYS * DAY if due else 0)


def _weighted(options: dict | tuple) -> tuple[list, list[float]]:
    items = list(options.items()) if isinstance(options, dict) else list(options)
    return [k for k, _ in items], list(accumulate(w for _, w in items))


_STEPS: dict[tuple[bool, tuple[RepairState, ...]], list[Transition]] = {}


def steps_for(pre: bool, route: tuple[RepairState, ...]) -> list[Transition]:
    """The edges from the order's first state through the route's waypoints."""
    key = (pre, route)
    if key not in _STEPS:
        state, steps = (S.REGISTERED if pre else S.RECEIVED), []
        for waypoint in route:
            for step in path_to(waypoint, state):
                steps.append(step)
                state = step.target
        _STEPS[key] = steps
    return _STEPS[key]


def load_orders(url: str, rng: random.Random, counts: Counts, net: Network, people: People, slots: OrderSlots,
                times: array, now_ts: int, ts: Timestamps, journal: Journal) -> OrdersDone:
    started = time.perf_counter()
    texts = Texts()
    targets = [_weighted(table) for _, table in BY_AGE]
    backlog_keys, backlog_cum = _weighted(BACKLOG_STATES)
    flagship, backlog_share = _backlog_share(counts, net, people, slots, times, now_ts)
    routes = {(paid, target): _weighted(options) for paid, table in ROUTES.items() for target, options in table.items()}
    priorities = _weighted({"low": 8, "normal": 70, "high": 15, "urgent": 7})
    operators = net.staff[net.hq][Role.CALL_CENTER]
    done = OrdersDone(location=array("i", [0]) * (counts.units + 1),
                      center_orders=[(array("q"), array("i"), array("i")) for _ in net.code])
    orders = CopyStream(url, "repair_orders", ORDER_COLUMNS)
    events = CopyStream(url, "repair_events", EVENT_COLUMNS)
    p_parts = min(1.0, counts.stock_moves * 0.5 / counts.orders / 0.9)
    buckets: dict[int, list[tuple[int, int, str]]] = {}
    seq = eid = 0
    flushed = times[0] // DAY if len(times) else 0
    struct_sum = 0
    ratio = 0.4
    last_ready: dict[int, tuple[int, int]] = {}  # unit -> (ready at, order) of its latest finished order
    lim = now_ts - 60

    def flush(day: int) -> None:
        nonlocal eid
        for _t, _s, line in sorted(buckets.pop(day, ())):
            eid += 1
            events.add(f"{eid}\t{line}")

    for i in range(counts.orders):
        oid, t0 = i + 1, times[i]
        while flushed < t0 // DAY:
            flush(flushed)
            flushed += 1
        u = slots.unit[i]
        owner = people.owner[u]
        cid = people.center[owner]
        partner, staff, wh = net.partner[cid], net.staff[cid], net.warehouse[cid]
        pm = people.model[u]
        cat = net.model_category[pm]
        forced = slots.heavy[i] or slots.has_next[i]
        age = (now_ts - t0) / DAY
        if forced:
            target = S.ISSUED
        elif cid == flagship and age > BACKLOG_AFTER_DAYS and rng.random() < backlog_share:
            target = rng.choices(backlog_keys, cum_weights=backlog_cum)[0]
        else:
            keys, cum = next(targets[k] for k, (bound, _) in enumerate(BY_AGE) if age <= bound)
            target = rng.choices(keys, cum_weights=cum)[0]
        bought = people.bought[u]
        if bought < 0:
            otype, reason = ("presale", texts.not_covered["presale"]) if people.company[owner] and rng.random() < .5 \
                else ("paid", texts.not_covered["unknown"])
        elif t0 // DAY - bought <= net.model_months[pm] * 30.4:
            otype, reason = "warranty", rng.choice(texts.covered)
        else:
            otype, reason = "paid", texts.not_covered["expired"]
        keys, cum = routes[(otype == "paid", target)]
        route = rng.choices(keys, cum_weights=cum)[0]
        pre = target == S.REGISTERED or rng.random() < (0.4 if route == (S.CANCELLED,) else 0.1)
        unit = u
        if pre and route in ((), (S.CANCELLED,)) and not forced and rng.random() < 0.6:
            unit = 0  # a phone call: nobody has read the serial yet
        unit_s = str(unit) if unit else NULL
        case = texts.presale if otype == "presale" else rng.choice(texts.cases[cat])
        counter = rng.choice(staff[Role.PARTNER] if partner else staff[Role.INTAKE])
        engineer = rng.choice(staff[Role.PARTNER] if partner else staff[Role.ENGINEER])
        lead = counter if partner else staff[Role.TEAM_LEAD][0]
        operator = rng.choice(operators)
        clerk = operator if pre and not partner and rng.random() < 0.7 else counter
        year = time.gmtime(t0 + net.offset[cid]).tm_year
        key = (cid, year)
        done.counters[key] = number_seq = done.counters.get(key, 0) + 1
        number = f"{net.code[cid]}-{year}-{number_seq:06d}"
        state = S.REGISTERED if pre else S.RECEIVED
        ev: list[tuple[int, str, str, str, int, str]] = [
            (t0, "created", NULL, state.value, clerk, f'{{"number": "{number}", "center": "{net.code[cid]}"}}')]
        at_counter = not pre and rng.random() < 0.5
        covered = (otype != "paid") if at_counter else None
        warranty_due = not pre and not at_counter
        steps = steps_for(pre, route)
        spans = [rng.uniform(*HOURS[s.action]) * 3600 for s in steps]
        total = sum(spans)
        # A young order's steps are squeezed into its life so far (ending a little before now).
        factor = 1.0 if t0 + total <= lim else max(0.0, (lim - t0) * rng.uniform(0.4, 0.95) / total)
        t = float(t0)
        received = t0 if not pre else 0
        ready = issued = 0
        engineer_id = 0
        version = 1
        diagnosis = outcome = note = cancel = ""
        estimate = approved = NULL
        for step, span in zip(steps, spans, strict=True):
            d = span * factor
            a = step.action
            if warranty_due:
                covered = otype != "paid"
                ev.append((int(t + d * 0.1), "warranty", NULL, "warranty" if covered else "paid", counter,
                           f'{{"reason": {reason.json}}}'))
                warranty_due, version = False, version + 1
            if a == "start_diagnosis":
                ev.append((int(t + d * 0.5), "assignment", NULL, net.user_name[engineer], lead, "{}"))
                engineer_id, version = engineer, version + 1
            if a == "request_approval" and covered:
                revision = rng.choice(texts.revisions)
                ev.append((int(t + d * 0.8), "warranty", "warranty", "paid", engineer,
                           f'{{"reason": {revision.json}}}'))
                covered, reason, version = False, revision, version + 1
            t += d
            at = int(t)
            if a in ("receive", "issue"):
                actor = counter
            elif a in ("approve", "approve_wait_parts", "decline"):
                actor = operator if not partner and rng.random() < 0.3 else counter
            elif a == "parts_arrived":
                actor = staff[Role.WAREHOUSE][0] if not partner and rng.random() < 0.5 else engineer
            elif a == "cancel":
                actor = (operator if step.source == S.REGISTERED and not partner else
                         counter if step.source in (S.REGISTERED, S.RECEIVED) else lead)
            else:
                actor = engineer
            if a == "receive":
                received, warranty_due = at, not at_counter
                info = details(a)
            elif a == "request_approval":
                estimate = f"{rng.randrange(12, 190) * 100}.00"
                diagnosis, approved = case.diagnosis, NULL
                info = details(a, ("estimate_total", f'"{estimate}"'), ("diagnosis", case.diagnosis_json))
            elif a in ("start_repair", "wait_for_parts"):
                diagnosis = case.diagnosis
                info = details(a, ("diagnosis", case.diagnosis_json))
            elif a in ("approve", "approve_wait_parts"):
                approved, info = "t", details(a)
            elif a == "decline":
                said = rng.choice(texts.declines)
                approved, outcome, note, ready = "f", "refused", said.text, at
                info = details(a, ("outcome", '"refused"'), ("outcome_note", said.json))
            elif a == "close_without_repair":
                outcome, said = rng.choice(texts.closings)
                diagnosis, note, ready = case.diagnosis, said.text, at
                info = details(a, ("outcome", f'"{outcome}"'), ("outcome_note", said.json),
                               ("diagnosis", case.diagnosis_json))
            elif a == "finish":
                roll = rng.random()
                if otype == "warranty" and S.AWAITING_APPROVAL not in route and roll < 0.08:
                    outcome, said = "replaced", texts.replaced
                elif roll > 0.96:
                    outcome, said = "unrepairable", texts.unrepairable
                else:
                    outcome, said = "repaired", None
                note, ready = (said.text if said else case.note), at
                info = details(a, ("outcome", f'"{outcome}"'), ("outcome_note", said.json if said else case.note_json))
            elif a == "issue":
                issued, info = at, details(a)
            elif a == "cancel":
                said = rng.choice(texts.cancel_reasons(step.source))
                cancel = said.text
                info = details(a, ("reason", said.json))
            else:
                info = details(a)
            if net.user_role[actor] not in step.roles:
                raise AssertionError(f"a {net.user_role[actor]} may not take {step.action}")
            ev.append((at, "state", step.source.value, step.target.value, actor, info))
            version += 1
            state = step.target
            if a in ("start_repair", "parts_arrived") and rng.random() < p_parts:
                part = rng.randint(1, counts.parts)
                if a == "parts_arrived":
                    journal.add(at - 600, part, NULL, wh, "receipt", staff.get(Role.WAREHOUSE, [actor])[0], oid)
                journal.add(at, part, wh, NULL, "issue", engineer, oid)
        if warranty_due:  # still at the counter: the warranty decision is the last thing done
            covered = otype != "paid"
            ev.append((int(t + min(3600, (lim - t) * 0.5)), "warranty", NULL, "warranty" if covered else "paid",
                       counter, f'{{"reason": {reason.json}}}'))
            version += 1
        updated = ev[-1][0] if len(ev) > 1 else t0
        struct = len(ev)
        extra = int(struct * ratio + rng.random())
        if slots.heavy[i]:
            extra = max(extra, 9 - struct)
        end = updated if state in FINAL_STATES else min(lim, updated + 5 * DAY)
        roles = texts.comment_roles(partner, engineer_id != 0)
        for _ in range(extra):
            role = rng.choice(roles)
            author = {Role.CALL_CENTER: operator, Role.ENGINEER: engineer, Role.TEAM_LEAD: lead}.get(role, counter)
            ev.append((rng.randint(t0 + 1, max(t0 + 1, end)), "comment", NULL, NULL, author,
                       rng.choice(texts.comments[role])))
        ev.sort(key=lambda e: e[0])
        for at, kind, frm, to, actor, info in ev:
            seq += 1
            buckets.setdefault(at // DAY, []).append(
                (at, seq, f"{oid}\t{unit_s}\t{ts(at)}\t{actor}\t{kind}\t{frm}\t{to}\t{info}\n"))
        struct_sum += struct
        if oid % 256 == 0:
            ratio = min(4.0, max(0.0, (EVENTS_PER_ORDER * oid - struct_sum) / struct_sum))
        cover = NULL if covered is None else ("t" if covered else "f")
        # The unit's brand and model on the order, and the order it repeats (repairs/repeats.py: the
        # unit's order ready most recently within 90 days before this one was received).
        maker_s, model_s = (str(net.model_maker[pm]), str(pm)) if unit else (NULL, NULL)
        earlier = last_ready.get(unit) if unit and received else None
        repeat_s = str(earlier[1]) if earlier and received - REPEAT_DAYS * DAY <= earlier[0] < received else NULL
        if unit and ready and ready > last_ready.get(unit, (0, 0))[0]:
            last_ready[unit] = (ready, oid)
        accessories = "[]" if pre else "[" + ", ".join(
            rng.sample(texts.accessories[cat], rng.randint(0, len(texts.accessories[cat])))) + "]"
        condition = "" if pre else "; ".join(rng.sample(texts.conditions, rng.randint(1, 2)))
        prio = rng.choices(priorities[0], cum_weights=priorities[1])[0]
        diag_due, repair_due, legal_due, due_at, risk_at = (
            ts(d) if d else NULL for d in due_dates(received, otype, covered, state))
        orders.add(f"{oid}\t{number}\t{cid}\t{cid}\t{unit_s}\t{owner}\t{otype}\t{state.value}\t{prio}\t{case.fault}\t"
                   f"{condition}\t{accessories}\t{cover}\t{reason.text if covered is not None else ''}\t"
                   f"{engineer_id or NULL}\t\t{diag_due}\t{repair_due}\t{diagnosis}\t{estimate}\t{approved}\t{outcome or NULL}\t"
                   f"{note}\t{cancel}\t{ts(t0)}\t{ts(received) if received else NULL}\t"
                   f"{ts(ready) if ready else NULL}\t{ts(issued) if issued else NULL}\t{ts(updated)}\t{version}\t"
                   f"{legal_due}\t{due_at}\t{risk_at}\t{maker_s}\t{model_s}\t{repeat_s}\n")
        if unit:
            # The unit's trail: into the center's warehouse at intake, back to its customer when the
            # order is issued or cancelled; its location is where the last move left it.
            if received:
                journal.add_unit(received, unit, NULL, wh, "intake", counter, oid)
                if state in FINAL_STATES:
                    journal.add_unit(issued or updated, unit, wh, net.customer, "handover", counter, oid)
                done.location[unit] = wh if state not in FINAL_STATES else net.customer
            mine = done.center_orders[cid]
            mine[0].append(t0)
            mine[1].append(oid)
            mine[2].append(unit)
    for day in sorted(buckets):
        flush(day)
    orders.close()
    events.close()
    done.orders, done.events, done.moves = orders.rows, events.rows, journal.last
    done.seconds = time.perf_counter() - started
    return done

