"""Reports for team leads, managers and partners (issue 9): see base.py; each module registers one."""

from servicecenter.reports import deadlines, failures, load, money, repairs, turnaround  # noqa: F401  (registration)
from servicecenter.reports.base import REPORTS

MENU = ("repairs", "turnaround", "deadlines", "failures", "load", "money")
for _key in MENU:  # the menu's order, whatever order the modules were imported in
    REPORTS[_key] = REPORTS.pop(_key)
