"""`python -m servicecenter ...` is the `servicecenter` command."""

from servicecenter.cli import run

run()
