"""``credit check`` starts quickly: what it does not import, and the lazy config defaults."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from huikuan.cli import full_app, lean_app
from huikuan.config import Config, load_config
from huikuan.core.bankmatch import DEFAULT_THRESHOLD
from huikuan.core.cost import CostPolicy
from huikuan.core.creditpolicy import CreditPolicy
from huikuan.core.dunning import DunningConfig
from huikuan.core.interest import InterestPolicy
from huikuan.core.provision import ProvisionPolicy
from huikuan.db import models


def _imported_after(code: str) -> set[str]:
    """The huikuan modules a fresh interpreter has imported after running ``code``."""
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in sys.modules if 'huikuan' in m))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def test_config_defaults_import_no_policy_module() -> None:
    found = _imported_after("from huikuan.config import Config\nConfig()")
    heavy = {"bankmatch", "dunning", "dunning_config", "interest", "provision", "cost"}
    assert not {f"huikuan.core.{name}" for name in heavy} & found
    assert "huikuan.letters.settings" not in found


def test_credit_store_imports_no_ledger_write_paths() -> None:
    found = _imported_after("import huikuan.store.credit, huikuan.services.credit")
    for name in ("ledger", "collections", "limitation", "reports", "bulk"):
        assert f"huikuan.store.{name}" not in found
    assert "huikuan.core.records" not in found
    assert "huikuan.store.credit" in found  # the probe did run
    alone = _imported_after("import huikuan.services.creditcheck, huikuan.store.credit")
    assert "huikuan.services.credit" not in alone


def test_config_defaults_are_the_policies_defaults() -> None:
    cfg = Config()
    assert cfg.credit == CreditPolicy()
    assert cfg.dunning == DunningConfig()
    assert cfg.provision == ProvisionPolicy()
    assert cfg.cost == CostPolicy()
    assert cfg.interest == InterestPolicy()
    assert cfg.auto_match_score == DEFAULT_THRESHOLD
    assert cfg.dunning is cfg.dunning  # built once, then kept


def test_config_setting_overrides_and_stays_per_instance() -> None:
    one, two = Config(), Config()
    one.auto_match_score = 95
    one.credit = CreditPolicy(hold_days=5)
    assert (one.auto_match_score, one.credit.hold_days) == (95, 5)
    assert two.auto_match_score == DEFAULT_THRESHOLD
    assert two.credit == CreditPolicy()
    assert Config(credit=CreditPolicy(hold_days=7)).credit.hold_days == 7
    assert one != two and Config() == Config()


def test_config_file_still_sets_the_policies(tmp_path: Path) -> None:
    path = tmp_path / "huikuan.toml"
    path.write_text("[credit]\nhold_days = 30\n\n[bank]\nauto_match_score = 90\n", "utf-8")
    cfg = load_config(path, required=True)
    assert cfg.credit.hold_days == 30
    assert cfg.auto_match_score == 90
    assert cfg.dunning == DunningConfig()


def test_table_models_still_validate_when_asked() -> None:
    """The models build their pydantic validator on first use (``defer_build``)."""
    assert models.Customer.model_config.get("defer_build") is True
    row = {"code": "C1", "name": "甲", "credit_limit": "100", "created_at": "2026-01-02T03:04:05Z"}
    customer = models.Customer.model_validate(row)
    assert (customer.code, customer.credit_limit, customer.blocked) == ("C1", 100, False)
    assert customer.created_at.year == 2026


def _group_commands(lean: Any, group: str) -> set[str]:
    info = next(g for g in lean.registered_groups if g.name == group)
    return {c.name or c.callback.__name__ for c in info.typer_instance.registered_commands}


def test_lean_group_builds_only_the_named_subcommand() -> None:
    assert _group_commands(lean_app(["credit", "check", "C001"]), "credit") == {"check"}
    assert _group_commands(lean_app(["--user", "x", "credit", "-h", "matrix"]), "credit") == {
        "matrix"
    }
    every = _group_commands(full_app(), "credit")
    assert len(every) > 2 and "check" in every
    assert _group_commands(full_app(), "credit") == every  # the full app is left alone
    for argv in (["credit"], ["credit", "--help"], ["credit", "nope"]):
        assert _group_commands(lean_app(argv), "credit") == every


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    code = (
        f"import sys; sys.argv = ['huikuan', *{list(argv)!r}]\nfrom huikuan.cli import main\nmain()"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_group_help_and_unknown_subcommand_still_list_every_command() -> None:
    listed = _run("credit", "--help").stdout
    for name in _group_commands(full_app(), "credit"):
        assert f" {name} " in listed
    wrong = _run("credit", "chek")
    assert wrong.returncode == 2 and "chek" in wrong.stderr


def test_english_output_reads_no_chinese_catalogue() -> None:
    probe = "from huikuan.i18n import label, translate, value\n"
    found = _imported_after(
        probe + "label('amount', 'en'), value('Total', 'en'), translate('x', 'en')"
    )
    assert "huikuan.i18n_zh" not in found
    found = _imported_after(probe + "assert label('amount', 'zh') != 'amount'")
    assert "huikuan.i18n_zh" in found
