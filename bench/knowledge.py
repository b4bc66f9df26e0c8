"""Time the knowledge base search over 10,000 articles (issue 12): p50/p95/p99 per query.

    .venv/bin/python -m bench.knowledge --database-url postgresql://postgres@127.0.0.1:5432/kb_bench --reset
    .venv/bin/python -m bench.knowledge --articles 200 --reps 20 --database-url sqlite:////tmp/kb.db

Builds its own database (PostgreSQL: created, or dropped and rebuilt with --reset; the schema is the
models' create_all, so the generated tsvector column and its GIN index are there), a small network
(a center, a team lead, an engineer, a partner), the demo's product categories, brands and repair
cases, and N articles of Russian repair text in a mix of visibilities and states. Each timed call
opens a fresh Session as a request does and runs the app's own `search_articles` for a reader;
the public help page is also timed through the real app (Flask test client). Prints a Markdown
table; no test asserts a time (tests/test_bench_knowledge.py runs it small so it never rots).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

import servicecenter.models  # noqa: F401  (every table)
from bench.vocab import BRANDS, PART_KINDS
from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.accounts.services import create_user
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import CenterKind, ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.db import Base, Database
from servicecenter.demo import CASES
from servicecenter.knowledge import queries
from servicecenter.knowledge.models import Article, ArticleState, ArticleVersion, Visibility, article_models
from servicecenter.knowledge.services import search_text
from servicecenter.scoping import Scope, set_scope

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/kb_bench"
PASSWORD = "bench12345"  # the bench network's, as bench/generate.py's  # noqa: S105
FILLER = ("Перед началом работ отключите прибор от сети и перекройте воду.",
          "Проверьте напряжение на разъёме питания мультиметром.",
          "Если ошибка повторяется после замены, проверьте проводку и разъёмы.",
          "Фото узла приложено к статье; момент затяжки указан в сервисной документации.",
          "Клиенту объясните, как избежать повторения: чистка фильтра раз в три месяца.",
          "Гарантийный случай оформляется только при отсутствии следов вскрытия.")
# (label, query): a common word, a phrase, an inflected form, a rare word, no hit at all.
QUERIES = (("common word", "насос"), ("two words, inflected", "замены подшипников"),
           ("inflected form", "ремонта"), ("rare word", "магнетрона"), ("no hit", "квазар"))


def _database(url: str, reset: bool) -> None:
    if not url.startswith("postgresql"):
        return
    base = make_url(url)
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": base.database}).scalar()
        if exists and reset:
            conn.execute(text(f'DROP DATABASE "{base.database}" WITH (FORCE)'))
            exists = None
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{base.database}"'))
    admin.dispose()


def _article_rows(n: int, models: list[ProductModel], author_id: int, rng: random.Random) -> list[dict[str, Any]]:
    cases = [(category, case) for category, items in CASES.items() for case in items]
    visibilities = [Visibility.PUBLIC] * 40 + [Visibility.INTERNAL] * 45 + [Visibility.PARTNER] * 15
    now = utcnow()
    rows = []
    for i in range(n):
        category, (fault, cause, action) = rng.choice(cases)
        part = rng.choice(PART_KINDS)
        model = rng.choice(models)
        title = f"{fault}: {cause.lower()} ({model.name})"
        body = "\n\n".join([f"**Симптом.** {fault}.", f"**Причина.** {cause}.", f"**Ремонт.** {action}.",
                            f"Деталь: {part}.", *rng.sample(FILLER, 3)])
        tags = f"{category}, {part}"
        rows.append({"title": title[:200], "body": body, "tags_text": tags, "search_text": search_text(title, tags, body),
                     "visibility": rng.choice(visibilities),
                     "state": ArticleState.PUBLISHED if rng.random() < 0.9 else ArticleState.DRAFT,
                     "revision": 1, "author_id": author_id, "updated_by_id": author_id, "created_at": now,
                     "updated_at": now, "_model": model.id, "_n": i})
    return rows


def generate(db: Database, n: int, seed: int) -> dict[str, int]:
    """The network, the catalogue and n articles (with their first version); returns the readers' ids."""
    rng = random.Random(seed)
    with db.unit_of_work() as session:
        hq = ServiceCenter(code="KBH", name="Головной СЦ", kind=CenterKind.OWN, city="Москва")
        partner_center = ServiceCenter(code="KBP", name="Партнёр", kind=CenterKind.PARTNER, city="Казань")
        session.add_all([hq, partner_center])
        session.flush()
        engineer = create_user(session, None, email="engineer@kb.bench", password=PASSWORD, role=Role.ENGINEER,
                               center=hq, name="Инженер")
        lead = create_user(session, None, email="lead@kb.bench", password=PASSWORD, role=Role.TEAM_LEAD,
                           center=hq, name="Руководитель")
        partner = create_user(session, None, email="partner@kb.bench", password=PASSWORD, role=Role.PARTNER,
                              center=partner_center, name="Партнёр")
        models = []
        for b, brand in enumerate(BRANDS[:20]):
            maker = Manufacturer(name=brand)
            session.add(maker)
            session.flush()
            for category in list(CASES)[:5]:
                models.append(ProductModel(manufacturer_id=maker.id, name=f"{brand[:3].upper()}-{b}{len(models)}",
                                           category=category))
        session.add_all(models)
        session.flush()
        rows = _article_rows(n, models, lead.id, rng)
        for start in range(0, n, 2000):
            chunk = rows[start:start + 2000]
            ids = session.scalars(insert(Article).returning(Article.id, sort_by_parameter_order=True),
                                  [{k: v for k, v in r.items() if not k.startswith("_")} for r in chunk]).all()
            session.execute(insert(ArticleVersion), [
                {"article_id": aid, "number": 1, "title": r["title"], "body": r["body"], "fields": {},
                 "note": "article created", "author_id": lead.id, "created_at": r["created_at"]} for aid, r in zip(ids, chunk, strict=True)])
            session.execute(insert(article_models), [{"article_id": aid, "model_id": r["_model"]}
                                                     for aid, r in zip(ids, chunk, strict=True)])
        readers = {"engineer": engineer.id, "partner": partner.id, "lead": lead.id}
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE knowledge_articles"))
    return readers


def _time(fn: Callable[[], object], reps: int, warmup: int = 5) -> dict[str, float]:
    samples = []
    for i in range(warmup + reps):
        started = time.perf_counter_ns()
        fn()
        if i >= warmup:
            samples.append((time.perf_counter_ns() - started) / 1e6)
    samples.sort()
    q = statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else samples * 99
    return {"p50": statistics.median(samples), "p95": q[94], "p99": q[98], "n": len(samples)}


def _searcher(db: Database, reader: User | None, query: str) -> Callable[[], int]:
    def run() -> int:
        with db.session() as session:
            if reader is not None and reader.is_walled:
                set_scope(session, Scope(reader.center_id))
            actor = session.get(User, reader.id) if reader is not None else None
            return len(queries.search_articles(session, actor, query))
    return run


def measure(db: Database, readers: dict[str, int], reps: int, url: str) -> list[dict[str, Any]]:
    with db.session() as session:
        users = {name: session.get(User, uid) for name, uid in readers.items()}
        session.expunge_all()
    results = []
    for who in ("anonymous", "engineer", "partner"):
        reader = None if who == "anonymous" else users[who]
        for label, query in QUERIES:
            hits = _searcher(db, reader, query)()
            results.append({"operation": f"search as {who}: {label} «{query}»", "hits": hits,
                            **_time(_searcher(db, reader, query), reps)})
    from servicecenter.app import create_app
    from servicecenter.config import Settings

    settings = Settings.from_env({"DATABASE_URL": url, "SECRET_KEY": "bench-knowledge-0123456789"})
    settings.redis_url = None
    client = create_app(settings, database=db).test_client()

    def help_page() -> None:
        r = client.get("/help/", query_string={"q": "ремонта насоса"})
        if r.status_code != 200:
            raise RuntimeError(f"/help/ answered {r.status_code}")

    results.append({"operation": "HTTP GET /help/?q=ремонта насоса (public page)", "hits": None,
                    **_time(help_page, reps)})
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--reset", action="store_true", help="drop and rebuild the PostgreSQL database")
    args = parser.parse_args(argv)
    _database(args.database_url, args.reset)
    db = Database(args.database_url)
    Base.metadata.create_all(db.engine)
    with db.session() as session:
        if session.scalar(select(Article.id).limit(1)) is not None:
            print("the database already has articles: use --reset (PostgreSQL) or a new SQLite file", file=sys.stderr)
            return 2
    started = time.perf_counter()
    readers = generate(db, args.articles, args.seed)
    print(f"{args.articles} articles generated in {time.perf_counter() - started:.1f} s on {db.engine.dialect.name}\n")
    print("| operation | hits | p50 ms | p95 ms | p99 ms | n |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in measure(db, readers, args.reps, args.database_url):
        hits = "" if row["hits"] is None else row["hits"]
        print(f"| {row['operation']} | {hits} | {row['p50']:.2f} | {row['p95']:.2f} | {row['p99']:.2f} | {row['n']} |")
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
