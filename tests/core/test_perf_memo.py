"""Memos of the whole-ledger runs (dunning levels by due date, working-day moves) change
nothing but the time: the same answers as worked out afresh each time."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from huikuan.core.calendar import make_calendar
from huikuan.core.dunning import Debtor, DunningConfig, OpenInvoice, plan_debtor, plan_run

AS_OF = date(2026, 10, 9)  # just after the National Day holidays: working days matter


def _debtors() -> list[Debtor]:
    out = []
    for n in range(12):
        invs = []
        for k in range(8):
            due = AS_OF + timedelta(days=(n * 7 + k * 13) % 140 - 100)
            inv = OpenInvoice(f"I{n:02d}{k}", due, 1000 + k)
            if k == 3:  # dunned before: the memo must not answer for it
                inv = replace(
                    inv, done=frozenset({0, 1}), highest=1, reached=AS_OF - timedelta(days=20)
                )
            if k == 5:
                inv = replace(inv, done=frozenset({0}))
            invs.append(inv)
        out.append(Debtor(f"C{n:02d}", "standard", tuple(invs), last_message=None))
    return out


@pytest.mark.parametrize("escalation", ["step", "jump"])
def test_plan_run_with_its_memo_equals_each_debtor_planned_afresh(escalation: str) -> None:
    cfg = DunningConfig(escalation=escalation)
    debtors = _debtors()
    plans, skips = plan_run(debtors, cfg, AS_OF, make_calendar("CN"))
    fresh = [plan_debtor(d, cfg, AS_OF, make_calendar("CN")) for d in debtors]
    assert plans == [p for p, _ in fresh if p]
    assert skips == [s for _, why in fresh for s in why]
    assert len(plans) == 12 and sum(len(p.steps) for p in plans) > 40
    first = plans[0].steps[0]
    first.skipped.append(99)  # a step's list is its own, not the memo's
    assert (
        plan_run(debtors, cfg, AS_OF, make_calendar("CN"))[0][0].steps[0].skipped != first.skipped
    )


def test_working_day_moves_are_remembered_and_still_note_missing_years() -> None:
    cal = make_calendar("CN")
    start = date(2026, 9, 28)
    first = [cal.add_workdays(start + timedelta(days=k), n) for k in range(20) for n in (-3, 1, 5)]
    again = [cal.add_workdays(start + timedelta(days=k), n) for k in range(20) for n in (-3, 1, 5)]
    fresh = make_calendar("CN")
    assert (
        first
        == again
        == [
            fresh._add_workdays(start + timedelta(days=k), n) for k in range(20) for n in (-3, 1, 5)
        ]
    )
    assert cal.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)  # over the holidays
    far = make_calendar("CN")
    far.add_workdays(date(2099, 1, 1), 2)
    far.add_workdays(date(2099, 1, 1), 2)
    assert 2099 in far.missing_years
