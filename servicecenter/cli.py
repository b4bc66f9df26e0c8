"""The `servicecenter` command: database, demo data, users, development server, worker."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from servicecenter.accounts.roles import Role
from servicecenter.config import ConfigError, Settings


def _settings() -> Settings:
    return Settings.from_env()


def _database(settings: Settings):  # noqa: ANN202
    import servicecenter.models  # noqa: F401
    from servicecenter.db import Database

    if settings.database_url.startswith("sqlite"):
        settings.instance_path.mkdir(parents=True, exist_ok=True)
    return Database(settings.database_url)


@click.group()
def main() -> None:
    """servicecenter: repair workflow for networks of service centers."""


@main.command("init-db")
def init_db() -> None:
    """Create or migrate the database (DATABASE_URL) to the newest schema."""
    from servicecenter.migrate import upgrade

    settings = _settings()
    if settings.database_url.startswith("sqlite"):
        settings.instance_path.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    click.echo(f"Database is at the newest schema: {_display_url(settings.database_url)}")
    from servicecenter.deadlines.recompute import backfill

    with _database(settings).unit_of_work() as session:  # open orders from before the deadlines (0006)
        dated = backfill(session)
    if dated:
        click.echo(f"Due dates computed for {dated} open orders.")


@main.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has centers.")
@click.option("--seed", default=2026, show_default=True, help="Random seed (the same seed gives the same data).")
def seed_demo(if_empty: bool, seed: int) -> None:
    """Load a realistic demo network and print the demo logins."""
    from servicecenter.demo import DEMO_PASSWORD, demo_logins, is_empty, load_demo
    from servicecenter.errors import DomainError

    database = _database(_settings())
    try:
        with database.unit_of_work() as session:
            if if_empty and not is_empty(session):
                click.echo("The database already has data; demo not loaded.")
            else:
                summary = load_demo(session, seed=seed)
                click.echo("Demo network loaded: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    with database.unit_of_work() as session:
        logins = demo_logins(session)
    if logins:
        click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for role, email, center in logins:
            click.echo(f"  {role:<12} {email:<40} {center}")


@main.command("stock-check")
def stock_check() -> None:
    """Recompute stock levels and unit locations from the journal; list what disagrees (exit 1 if any)."""
    from servicecenter.stock.journal import check_stock

    with _database(_settings()).unit_of_work() as session:
        found = check_stock(session)
    for disagreement in found:
        click.echo(disagreement.describe())
    if found:
        click.echo(f"{len(found)} disagreement(s) between the stock journal and the cached figures.", err=True)
        sys.exit(1)
    click.echo("Stock levels and unit locations agree with the journal.")


@main.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_cmd(target: Path) -> None:
    """Copy the database (DATABASE_URL) to TARGET while the app runs: SQLite's online backup, or
    pg_dump's custom format for PostgreSQL (restore with pg_restore)."""
    from servicecenter.backup import BackupError, backup

    settings = _settings()
    try:
        how = backup(settings.database_url, target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up {_display_url(settings.database_url)} to {target} ({how}).")


@main.command("check-db")
def check_db() -> None:
    """Check a database (a restored backup, say): newest schema, every foreign key, every order's
    creation in its history, stock against its journal. Exit 1 on any finding."""
    from servicecenter.backup import check_database

    findings, counts = check_database(_database(_settings()))
    for finding in findings:
        click.echo(finding.describe())
    click.echo(", ".join(f"{v} {k}" for k, v in counts.items()))
    if findings:
        click.echo(f"{len(findings)} finding(s).", err=True)
        sys.exit(1)
    click.echo("The database is consistent.")


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--center", "center_code", required=True, help="The center's short code, e.g. MSK.")
@click.option("--name", default="", help="Display name (default: the e-mail's local part).")
def create_user_cmd(email: str, password: str, role: str, center_code: str, name: str) -> None:
    """Create a user of a service center."""
    from sqlalchemy import select

    from servicecenter.accounts.services import create_user
    from servicecenter.centers.models import ServiceCenter
    from servicecenter.errors import DomainError

    database = _database(_settings())
    try:
        with database.unit_of_work() as session:
            center = session.scalar(select(ServiceCenter).where(ServiceCenter.code == center_code.strip().upper()))
            if center is None:
                raise click.ClickException(f"No service center with code {center_code!r}")
            user = create_user(session, None, email=email, password=password, role=role, center=center, name=name)
            click.echo(f"Created {user.email} ({user.role.value}) at {center.code}")
    except DomainError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in getattr(exc, "errors", {}).items())
        raise click.ClickException(f"{exc}{' — ' + details if details else ''}") from exc


@main.command("create-token")
@click.argument("email")
@click.option("--name", default="", help="What the token is for (shown on the user's profile page).")
def create_token_cmd(email: str, name: str) -> None:
    """Issue an API token for a user and print it (this once: only its hash is kept)."""
    from servicecenter.accounts.services import get_user_by_email
    from servicecenter.accounts.tokens import create_token
    from servicecenter.errors import DomainError

    database = _database(_settings())
    try:
        with database.unit_of_work() as session:
            user = get_user_by_email(session, email)
            token, secret = create_token(session, None, user, name)
            label = f"{token.name} ({token.prefix}…) for {user.email} ({user.role.value})"
    except DomainError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in getattr(exc, "errors", {}).items())
        raise click.ClickException(f"{exc}{' — ' + details if details else ''}") from exc
    click.echo(f"API token {label}; it is shown only now:", err=True)
    click.echo(secret)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Run the development server (debug mode; use gunicorn in production)."""
    import os

    os.environ.setdefault("SERVICECENTER_DEBUG", "1")
    from servicecenter.app import create_app

    app = create_app()
    if not app.config["SETTINGS"].redis_url:  # embedded mode: the periodic jobs run in this process
        from servicecenter.jobs.ticker import start_ticker

        start_ticker(app.extensions["servicecenter.db"])
    app.run(host=host, port=port, debug=True, use_reloader=False, threaded=True)


@main.command("worker")
@click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
def worker(burst: bool) -> None:
    """Run an RQ worker (with the scheduler) for background jobs; needs REDIS_URL."""
    from servicecenter.jobs.worker import run_worker

    settings = _settings()
    if not settings.redis_url:
        raise click.ClickException("REDIS_URL is not set: without Redis, jobs run inside the app (embedded mode).")
    run_worker(settings.redis_url, burst=burst)


@main.group("jobs")
def jobs() -> None:
    """Background jobs: the periodic jobs and the outbox relay, by hand."""


def _dispatching_database():  # noqa: ANN202
    from servicecenter.jobs.dispatch import Dispatcher

    settings = _settings()
    database = _database(settings)
    Dispatcher(database, settings.redis_url)
    return database


@jobs.command("run-periodic")
@click.option("--name", "names", multiple=True, help="Only this job (repeatable); default: every due one.")
def jobs_run_periodic(names: tuple[str, ...]) -> None:
    """Run the periodic jobs that are due now (each at most once per interval, whoever runs it)."""
    from servicecenter.jobs.periodic import PERIODIC
    from servicecenter.jobs.ticker import run_due_periodic

    database = _dispatching_database()  # imports every job, so PERIODIC is complete
    unknown = sorted(set(names) - set(PERIODIC))
    if unknown:
        raise click.ClickException(f"No periodic job named {', '.join(unknown)}; known: {', '.join(sorted(PERIODIC))}")
    ran = run_due_periodic(database, names=names or None)
    click.echo(f"Ran: {', '.join(ran)}" if ran else "Nothing was due.")


@jobs.command("relay")
def jobs_relay() -> None:
    """Hand on outbox jobs left pending (Redis was down) or lost by RQ (Redis restarted, worker died)."""
    from servicecenter.jobs.relay import relay_now

    count = relay_now(_dispatching_database())
    click.echo(f"Relayed {count} job(s).")


def _display_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def run() -> None:
    try:
        main()
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
