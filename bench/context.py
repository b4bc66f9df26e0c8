"""What the operations run against: the database, samples of real keys, logged-in HTTP clients."""

from __future__ import annotations

import random
import re
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Any

import psycopg

from bench import pgload
from bench.gen_network import BENCH_PASSWORD
from servicecenter.config import Settings
from servicecenter.db import Database

SAMPLE = 2000
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Bench:
    """One run's shared state; samples are read once from the data (random rows, seeded)."""

    def __init__(self, url: str, seed: int = 1) -> None:
        self.url = url
        self.rng = random.Random(seed)
        self.db = Database(pgload.sqlalchemy_url(url))
        self._raw: psycopg.Connection | None = None
        self._clients: dict[str, Any] = {}

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
        self.db.dispose()
        if "app" in self.__dict__:
            self.app.extensions["servicecenter.db"].dispose()

    # ---------------------------------------------------------------- raw SQL
    @property
    def raw(self) -> psycopg.Connection:
        """A plain psycopg connection (autocommit), for reference queries and samples."""
        if self._raw is None:
            self._raw = psycopg.connect(pgload.libpq_url(self.url), autocommit=True)
            self._raw.execute("SELECT setseed(%s)", (self.rng.random(),))  # the samples repeat run to run
        return self._raw

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.raw.execute(sql, params).fetchall()

    # ---------------------------------------------------------------- samples
    @cached_property
    def big_center(self) -> int:
        """The own center with the most orders (the team lead's queue is longest there)."""
        return self.rows("SELECT o.center_id FROM repair_orders o JOIN service_centers c ON c.id = o.center_id "
                         "WHERE c.kind = 'own' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")[0][0]

    @cached_property
    def big_partner(self) -> int | None:
        found = self.rows("SELECT o.center_id FROM repair_orders o JOIN service_centers c ON c.id = o.center_id "
                          "WHERE c.kind = 'partner' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        return found[0][0] if found else None

    @cached_property
    def logistics_center(self) -> int:
        """The center with a logistics clerk that ships the most."""
        found = self.rows("SELECT u.center_id FROM users u JOIN shipments s ON u.center_id IN "
                          "(s.from_center_id, s.to_center_id) WHERE u.role = 'logistics' "
                          "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        if not found:
            raise LookupError("no logistics user at a center with shipments")
        return found[0][0]

    @cached_property
    def numbers(self) -> list[str]:
        """Order numbers across the network (random rows)."""
        return [r[0] for r in self.rows("SELECT number FROM repair_orders ORDER BY random() LIMIT %s", (SAMPLE,))]

    @cached_property
    def big_center_numbers(self) -> list[str]:
        return [r[0] for r in self.rows("SELECT number FROM repair_orders WHERE center_id = %s "
                                        "ORDER BY random() LIMIT %s", (self.big_center, SAMPLE))]

    @cached_property
    def first_model(self) -> int:
        """The product model the intakes register their units as."""
        return self.rows("SELECT id FROM product_models ORDER BY id LIMIT 1")[0][0]

    @cached_property
    def unit_keys(self) -> list[tuple[int, str]]:
        return [(m, s) for m, s in self.rows("SELECT manufacturer_id, serial FROM units ORDER BY random() LIMIT %s",
                                             (SAMPLE,))]

    @cached_property
    def heavy_units(self) -> list[tuple[int, int]]:
        """(unit id, events) of the units with the longest histories (the generator's 50+ ones)."""
        ids = [r[0] for r in self.rows("SELECT unit_id FROM repair_orders WHERE unit_id IS NOT NULL "
                                       "GROUP BY unit_id HAVING count(*) >= 5 LIMIT 200")]
        if not ids:
            return []
        return [(u, n) for u, n in self.rows("SELECT unit_id, count(*) FROM repair_events WHERE unit_id = ANY(%s) "
                                             "GROUP BY 1 HAVING count(*) >= 50", (ids,))]

    @cached_property
    def heavy_orders(self) -> tuple[int, list[str]]:
        """(center, numbers): the latest order of each heavy unit (its page shows the unit's 50+
        events), at the center that has the most of them."""
        units = [u for u, _ in self.heavy_units]
        if not units:
            return 0, []
        latest = self.rows("SELECT DISTINCT ON (unit_id) center_id, number FROM repair_orders "
                           "WHERE unit_id = ANY(%s) ORDER BY unit_id, created_at DESC", (units,))
        by_center: dict[int, list[str]] = {}
        for center, number in latest:
            by_center.setdefault(center, []).append(number)
        return max(by_center.items(), key=lambda item: len(item[1]))

    @cached_property
    def phones(self) -> list[str]:
        return [r[0] for r in self.rows("SELECT phone FROM customers ORDER BY random() LIMIT %s", (SAMPLE,))]

    @cached_property
    def surnames(self) -> list[str]:
        """Customers' surnames as a caller gives them (the first word of random customers' names)."""
        sql = "SELECT split_part(name, ' ', 1) FROM customers ORDER BY random() LIMIT %s"
        return [r[0] for r in self.rows(sql, (SAMPLE,))]

    def user(self, role: str, center: int | None = None) -> tuple[int, str]:
        """(id, e-mail) of the first active user with this role (at this center)."""
        sql = "SELECT id, email FROM users WHERE role = %s AND active"
        params: tuple = (role,)
        if center is not None:
            sql += " AND center_id = %s"
            params += (center,)
        found = self.rows(sql + " ORDER BY id LIMIT 1", params)
        if not found:
            raise LookupError(f"no {role} user" + (f" at center {center}" if center else ""))
        return found[0]

    def pick(self, values: list[Any]) -> Any:
        return values[self.rng.randrange(len(values))]

    # ---------------------------------------------------------------- HTTP
    @cached_property
    def app(self) -> Any:
        """The real app (create_app) on the bench database, cookies not marked Secure (plain HTTP)."""
        from servicecenter.app import create_app

        settings = Settings(database_url=pgload.sqlalchemy_url(self.url), redis_url=None,
                            secret_key="bench-secret-key-not-for-production", debug=False,  # noqa: S106
                            instance_path=Path(tempfile.mkdtemp(prefix="sc-bench-")), secure_cookies=False)
        return create_app(settings)

    @staticmethod
    def csrf_token(client: Any, path: str) -> str:
        """The CSRF token of the form at `path` (valid for the client's session)."""
        token = _CSRF.search(client.get(path).get_data(as_text=True))
        if token is None:
            raise RuntimeError(f"no CSRF token on {path}")
        return token.group(1)

    def client(self, role: str, center: int | None = None) -> Any:
        """A test client logged in through /login (CSRF token and all) as a user of the role."""
        key = f"{role}@{center}"
        if key not in self._clients:
            _uid, email = self.user(role, center)
            client = self.app.test_client()
            answer = client.post("/login", data={"email": email, "password": BENCH_PASSWORD,
                                                 "csrf_token": self.csrf_token(client, "/login")})
            if answer.status_code != 302:
                raise RuntimeError(f"login as {email} answered {answer.status_code}")
            self._clients[key] = client
        return self._clients[key]
