"""Jobs that run on a schedule (the deadline watcher, the outbox relay, planned maintenance): a
name registered with `@job` and how often it runs. The worker (`servicecenter worker`, RQ's
scheduler) and the embedded mode run them; see jobs/worker.py."""

from __future__ import annotations

PERIODIC: dict[str, int] = {}  # job name -> interval in seconds


def register_periodic(name: str, every_seconds: int) -> None:
    """Run the job named `name` (registered with `jobs.registry.job`) every `every_seconds`."""
    if every_seconds <= 0:
        raise ValueError("a periodic job needs a positive interval")
    PERIODIC[name] = every_seconds
