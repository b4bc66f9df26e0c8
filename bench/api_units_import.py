"""Bench: POST /api/v1/units/import with 100,000 rows (1% bad) on PostgreSQL, through the real app.

    .venv/bin/python -m bench.api_units_import --database-url postgresql://postgres@127.0.0.1:5432/api [--rows N]

Makes the schema with create_all in the given (scratch) database, empties the tables it uses, loads a
center, an administrator with an API token, a brand with 50 models, then times the import of a fresh
file and of the same file again (every row known: nothing to write). The issue's target: under 60 s.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time

from sqlalchemy import text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/api")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    import servicecenter.models  # noqa: F401
    from servicecenter.accounts.roles import Role
    from servicecenter.accounts.services import create_user
    from servicecenter.accounts.tokens import create_token
    from servicecenter.app import create_app
    from servicecenter.catalog.models import Manufacturer, ProductModel
    from servicecenter.centers.models import ServiceCenter
    from servicecenter.config import Settings
    from servicecenter.db import Base, Database

    database = Database(args.database_url)
    Base.metadata.create_all(database.engine)
    with database.engine.begin() as conn:
        conn.execute(text("TRUNCATE units, api_tokens, users, product_models, manufacturers, service_centers, "
                          "customers RESTART IDENTITY CASCADE"))
    with database.unit_of_work() as s:
        center = ServiceCenter(code="HQ", name="Головной офис")
        brand = Manufacturer(name="Атлант")
        s.add_all([center, brand])
        s.flush()
        s.add_all([ProductModel(manufacturer_id=brand.id, name=f"СМА {n}", category="Стиральные машины",
                                warranty_months=24) for n in range(50)])
        admin = create_user(s, None, email="bench@example.test", password="bench-password-1", role=Role.ADMIN,  # noqa: S106
                            center=center)
        _row, token = create_token(s, None, admin, "bench")

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["manufacturer", "model", "serial", "production_date", "warranty_start"])
    for i in range(args.rows):
        bad = i % 100 == 99
        writer.writerow(["Атлант", "СМА 999" if bad else f"СМА {i % 50}", f"PL-{i:08d}", "2026-10-01", ""])
    data = out.getvalue().encode()

    settings = Settings.from_env({"DATABASE_URL": args.database_url, "SECRET_KEY": "bench-secret-key-0123456789",
                                  "SERVICECENTER_INSTANCE": tempfile.mkdtemp()})
    settings.redis_url = None
    app = create_app(settings, database=database)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for label in ("fresh file", "the same file again"):
        started = time.perf_counter()
        response = client.post("/api/v1/units/import", data=data, content_type="text/csv", headers=headers)
        elapsed = time.perf_counter() - started
        body = response.get_json()
        print(f"{label}: {args.rows} rows ({len(data) / 1e6:.1f} MB) in {elapsed:.1f} s -> HTTP {response.status_code}, "
              f"created {body['created']}, updated {body['updated']}, unchanged {body['unchanged']}, "
              f"rejected {body['rejected']}")
    database.dispose()


if __name__ == "__main__":
    main()
