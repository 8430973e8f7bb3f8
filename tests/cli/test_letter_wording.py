"""What letters say (issue 11): prior contacts stated from the log, or not at all; a pre-due
reminder asks for payment by the due date and shows no overdue count for a line not yet due."""

from __future__ import annotations

import email
import email.policy
import os
from pathlib import Path
from typing import Any

import pytest

COMPANY = '[company]\nname = "杭州回款科技有限公司"\nbank = "工商银行杭州分行"\naccount = "1202 0000 1111"\n'
KINDS = ["reminder", "demand", "final"]


@pytest.fixture
def cfg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "huikuan.toml"
    path.write_text(COMPANY + '[dunning]\nescalation = "jump"\n', "utf-8")  # first run: demand
    monkeypatch.setenv("HUIKUAN_CONFIG", str(path))
    monkeypatch.setenv("HUIKUAN_OUTBOX", str(tmp_path / "outbox"))
    return path


def _letter(cli: Any, kind: str, as_of: str, lang: str, fmt: str) -> str:
    args = ("letter", kind, "C1", "--as-of", as_of, "--lang", lang, "-f", fmt, "--draft")
    return str(cli(*args).stdout)


def _overdue(cli: Any) -> None:
    cli("init")
    cli("customer", "add", "C1", "上海明达机械有限公司")
    cli("contact", "add", "C1", "陈会计", "--role", "finance", "--email", "chen@md.example.cn")
    cli("invoice", "add", "INV-1", "C1", "5000", "--issue-date", "2026-10-01", "--due-date", "2026-11-01")  # fmt: skip


@pytest.mark.parametrize("fmt", ["txt", "html"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_no_contacts_no_claim_of_earlier_contacts(cli: Any, cfg: Path, kind: str, lang: str, fmt: str) -> None:  # fmt: skip
    _overdue(cli)
    text = _letter(cli, kind, "2026-11-20", lang, fmt)
    for claim in ("多次", "此前", "已于", "联系", "earlier", "Despite", "contacted"):
        assert claim not in text, (claim, text)


ZH = "2026年11月5日（电话）、2026年11月20日（书面函件，催款函 HK-2026-000001）、2026年11月20日（电子邮件，催款函 HK-2026-000002）"  # fmt: skip
EN = "5 November 2026 (phone call), 20 November 2026 (letter, Demand for payment HK-2026-000001) and 20 November 2026 (email, Demand for payment HK-2026-000002)"  # fmt: skip


@pytest.mark.parametrize("fmt", ["txt", "html"])
@pytest.mark.parametrize(("lang", "listed"), [("zh", ZH), ("en", EN)], ids=["zh", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_contacts_are_stated_from_the_log(cli: Any, cfg: Path, kind: str, lang: str, listed: str, fmt: str) -> None:  # fmt: skip
    _overdue(cli)
    cli("log", "add", "C1", "--channel", "phone", "--date", "2026-11-05", "--outcome", "reached")
    cli("remind", "run", "--as-of", "2026-11-20")  # the 催款函 by letter and by email, logged
    cli("log", "add", "C1", "--channel", "visit", "--date", "2026-11-25")  # the letter's day
    cli("log", "add", "C1", "--channel", "visit", "--date", "2026-11-28")  # after it
    text = _letter(cli, kind, "2026-11-25", lang, fmt)
    assert listed in text
    for later in ("2026年11月25日（", "2026年11月28日", "25 November 2026 (", "28 November"):
        assert later not in text


def test_the_same_runs_other_channel_is_not_a_prior_contact(cli: Any, cfg: Path) -> None:
    _overdue(cli)
    cli("remind", "run", "--as-of", "2026-11-20")  # the printed letter, then the email
    (eml,) = (Path(os.environ["HUIKUAN_OUTBOX"])).glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    body = msg.get_body(("plain",))
    assert body is not None and "催款函" in body.get_content()
    assert "联系" not in body.get_content()


def test_more_than_five_contacts_are_counted(cli: Any, cfg: Path) -> None:
    _overdue(cli)
    for day in range(2, 9):
        cli("log", "add", "C1", "--channel", "phone", "--date", f"2026-11-0{day}")
    text = _letter(cli, "final", "2026-11-20", "zh", "txt")
    assert "我司已于2026年11月4日（电话）、" in text and "2026年11月3日" not in text
    assert "2026年11月8日（电话）等共7次就下列款项与贵司联系催告" in text


def _not_yet_due(cli: Any, *dues: str) -> None:
    cli("init")
    cli("customer", "add", "C1", "上海明达机械有限公司")
    for n, due in enumerate(dues):
        cli("invoice", "add", f"INV-{n}", "C1", "1000", "--issue-date", "2026-09-01", "--due-date", due)  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "fmt", "asked", "status"),
    [
        ("zh", "txt", "并于到期日2026年10月8日前支付", "未到期"),
        ("zh", "html", "并于到期日2026年10月8日前安排支付", '<td class="num">未到期</td>'),
        ("en", "txt", "paid to the account below by their due date, 8 October 2026.", "not yet due"),
        ("en", "html", "paid to the account below by their due date, 8 October 2026.", '<td class="num">not yet due</td>'),
    ],
)  # fmt: skip
def test_a_pre_due_reminder_asks_for_the_due_date(cli: Any, cfg: Path, lang: str, fmt: str, asked: str, status: str) -> None:  # fmt: skip
    _not_yet_due(cli, "2026-10-08")
    text = _letter(cli, "reminder", "2026-09-28", lang, fmt)
    assert asked in text and status in text
    assert "2026年10月13日" not in text and "13 October" not in text  # no new deadline after it
    assert "逾期 0 天" not in text and "0 days overdue" not in text
    assert '<td class="num">0</td>' not in text


def test_several_due_dates_and_due_today(cli: Any, cfg: Path) -> None:
    _not_yet_due(cli, "2026-09-28", "2026-10-08")
    zh = _letter(cli, "reminder", "2026-09-28", "zh", "txt")
    assert "今日到期" in zh and "未到期" in zh and "并于各笔款项到期日前支付" in zh
    en = _letter(cli, "reminder", "2026-09-28", "en", "txt")
    assert "due today" in en and "by their due dates." in en


def test_a_reminder_with_overdue_and_coming_lines_asks_for_both(cli: Any, cfg: Path) -> None:
    _not_yet_due(cli, "2026-09-20", "2026-10-08")
    zh = _letter(cli, "reminder", "2026-09-28", "zh", "txt")
    assert "逾期 8 天" in zh and "未到期" in zh
    assert "已到期款项请于2026年10月13日前、未到期款项请于各自到期日前支付" in zh
