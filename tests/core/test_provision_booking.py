"""core/provision.py for booking: the policy stored and read back, the split of a provision
by band, and the litigation flags as they stood on a past day."""

from __future__ import annotations

from datetime import date

from huikuan.core.provision import (
    FlagChange,
    ProvisionPolicy,
    ProvisionRow,
    band_provisions,
    flags_on,
    make_provision,
    policy_document,
    provide,
)


def test_policy_document_reads_back_unchanged() -> None:
    policy = make_provision(
        {"bands": [90, 365], "rates": ["1%", "12.5%", "100%"], "basis": "due",
         "litigation_rate": "80%", "customers": {"C9": "0.3", "C1": "0%"}}
    )  # fmt: skip
    doc = policy_document(policy)
    assert doc == {"bands": [90, 365], "rates": ["0.01", "0.125", "1"], "basis": "due",
                   "litigation_rate": "0.8", "customers": {"C1": "0", "C9": "0.3"}}  # fmt: skip
    assert make_provision(doc) == policy
    default = ProvisionPolicy()
    assert policy_document(default)["litigation_rate"] is None
    assert make_provision(policy_document(default)) == default


def test_band_provisions_by_the_matrix_are_each_band_times_its_rate() -> None:
    policy = ProvisionPolicy()
    row = ProvisionRow("C1", "n", "CNY", [101, 33333, 0, 1])
    provide(row, policy, None, "matrix")
    # 101 × 5% = 5.05 -> 5; 33333 × 20% = 6666.6 -> 6667; 1 × 100% = 1
    assert band_provisions(row, policy) == [5, 6667, 0, 1]
    assert sum(band_provisions(row, policy)) == row.provision


def test_band_provisions_with_an_own_rate_sum_to_the_rounded_total() -> None:
    policy = make_provision({"litigation_rate": "50%", "customers": {"C5": "0.3"}})
    tiny = ProvisionRow("C2", "n", "CNY", [1, 1, 1, 1])
    provide(tiny, policy, *policy.rate_for("C2", True))
    assert tiny.provision == 2  # 4 × 50% once; band by band it would be 4 × 1 (0.5 -> 1)
    assert band_provisions(tiny, policy) == [1, 0, 1, 0]  # running 0.5->1, 1, 1.5->2, 2
    row = ProvisionRow("C5", "n", "CNY", [33335, 0, 100, 0])
    provide(row, policy, *policy.rate_for("C5", False))
    assert row.provision == 10031  # 33435 × 30% = 10030.5 -> 10031
    parts = band_provisions(row, policy)
    assert parts == [10001, 0, 30, 0] and sum(parts) == row.provision  # 10000.5 -> 10001


def test_flags_on_a_past_day_undo_the_later_changes() -> None:
    now = {"K1": True, "K2": False, "K3": True}
    changes = [
        FlagChange("K3", date(2026, 1, 5), False, True),  # before the day: stays
        FlagChange("K1", date(2026, 6, 30), False, True),  # on the day: in force that day
        FlagChange("K2", date(2026, 7, 1), False, True),  # after: undone ...
        FlagChange("K2", date(2026, 8, 1), True, False),  # ... back to the first old value
        FlagChange("K3", date(2026, 9, 1), True, False),
        FlagChange("K3", date(2026, 10, 1), False, True),
    ]
    flags, guessed = flags_on(now, changes, date(2026, 6, 30))
    assert flags == {"K1": True, "K2": False, "K3": True}
    assert guessed == []
    assert flags_on(now, changes, date(2026, 7, 15))[0] == {"K1": True, "K2": True, "K3": True}
    assert flags_on(now, changes, date(2026, 9, 15))[0]["K3"] is False
    assert flags_on(now, changes, date(2025, 1, 1))[0] == {"K1": False, "K2": False, "K3": False}


def test_flags_on_infer_a_missing_old_value_and_say_so() -> None:
    changes = [
        FlagChange("K1", date(2026, 2, 1), False, True),
        FlagChange("K1", date(2026, 9, 1), None, False),  # old not recorded: K1's previous new
        FlagChange("K2", date(2026, 9, 1), None, True),  # no earlier change: customers start off
    ]
    flags, guessed = flags_on({"K1": False, "K2": True}, changes, date(2026, 6, 30))
    assert flags == {"K1": True, "K2": False}
    assert guessed == [FlagChange("K1", date(2026, 9, 1), True, False),
                       FlagChange("K2", date(2026, 9, 1), False, True)]  # fmt: skip
