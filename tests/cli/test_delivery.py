"""``remind run`` delivering letters: a real SMTP round trip (aiosmtpd on localhost), the
outbox without SMTP, retries with the same reference, header injection, the password rule.

The ledger, as of 2026-11-20: C1 (上海明达, finance contact 陈会计 <chen@md.example.cn>)
owes INV-1, 5,000.00 due 2026-11-01: 19 days late, so the standard policy's highest level is
"demand" (+15: a 催款函 by letter and by email). These tests are about delivery, so dunning
goes straight to that level (``[dunning] escalation = "jump"``, see JUMP) instead of stepping.
"""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Iterator
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest

from huikuan.core.errors import HuikuanError
from huikuan.letters.letter import Letter
from huikuan.letters.mail import build_message

aiosmtpd = pytest.importorskip("aiosmtpd.controller")
from mail_helpers import Inbox, free_port, smtp_server  # noqa: E402

AS_OF = "2026-11-20"
JUMP = '[dunning]\nescalation = "jump"\n'


def _pdf_works() -> bool:
    from huikuan.letters.pdf import html_to_pdf

    try:
        html_to_pdf("<p>催款函</p>", "zh")
    except HuikuanError:
        return False
    return True


PDF = _pdf_works()  # with the pdf extra, printed letters and emails carry a PDF too
PRINTED = ["HK-2026-000001.html"] + (["HK-2026-000001.pdf"] if PDF else [])
SETUP = [
    "init",
    "customer add C1 上海明达机械有限公司 --email ap@md.example.cn",
    "contact add C1 陈会计 --role finance --email chen@md.example.cn",
    "invoice add INV-1 C1 5000 --issue-date 2026-10-01 --due-date 2026-11-01",
]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


COMPANY = '[company]\nname = "杭州回款科技有限公司"\nbank = "工商银行杭州分行"\naccount = "1202 0000 1111"\n'


@pytest.fixture
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The outbox, and a config with the letterhead (no SMTP) unless a test gives --config."""
    box = tmp_path / "outbox"
    monkeypatch.setenv("HUIKUAN_OUTBOX", str(box))
    company = tmp_path / "company.toml"
    company.write_text(COMPANY + JUMP, "utf-8")
    monkeypatch.setenv("HUIKUAN_CONFIG", str(company))
    return box


def _config(tmp_path: Path, port: int, extra: str = "") -> Path:
    cfg = tmp_path / "huikuan.toml"
    cfg.write_text(
        COMPANY + f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\nfrom = "ar@huikuan.example"\n{JUMP}{extra}',
        "utf-8",
    )  # fmt: skip
    return cfg


def _ledger(cli: Any) -> None:
    for line in SETUP:
        cli(*line.split())


def test_smtp_round_trip(cli: Any, smtp: tuple[Inbox, int], outbox: Path, tmp_path: Path) -> None:
    inbox, port = smtp
    _ledger(cli)
    cfg = ("--config", str(_config(tmp_path, port)))
    out = json.loads(cli(*cfg, "remind", "run", "--as-of", AS_OF, "-f", "json").stdout)
    assert sorted((a["channel"], a["status"]) for a in out["actions"]) == [("email", "sent"), ("letter", "sent")]  # fmt: skip
    assert len(inbox.received) == 1  # the email; the printed letter goes to the outbox
    sender, rcpts, raw = inbox.received[0]
    assert (sender, rcpts) == ("ar@huikuan.example", ["chen@md.example.cn"])
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    subject = str(make_header(decode_header(msg["Subject"])))
    assert subject == "催款函 HK-2026-000002 — 杭州回款科技有限公司"
    parts = {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}
    assert "5,000.00" in parts["text/plain"] and "伍仟元整" in parts["text/plain"]
    assert "上海明达机械有限公司" in parts["text/html"] and "伍仟元整" in parts["text/html"]
    assert msg["X-Huikuan-Reference"] == "HK-2026-000002"  # the letter channel came first: 000001
    logs = json.loads(cli("log", "list", "C1", "-f", "json").stdout)
    email_log = next(entry for entry in logs if entry["channel"] == "email")
    assert email_log["reference"] == "HK-2026-000002"
    assert (
        email_log["evidence"] == str(msg["Message-ID"]).strip()
    )  # sent: evidence, restarts 诉讼时效
    lim = json.loads(cli("limitation", "--as-of", AS_OF, "-f", "json").stdout)["rows"][0]
    assert lim["restarted_by"] == {
        "kind": "demand",
        "date": AS_OF,
        "detail": "email HK-2026-000002",
    }
    letter_log = next(entry for entry in logs if entry["channel"] == "letter")
    assert letter_log["evidence"] is None and letter_log["reference"] == "HK-2026-000001"
    assert sorted(p.name for p in outbox.iterdir()) == PRINTED
    attached = [p.get_filename() for p in msg.walk() if p.get_content_type() == "application/pdf"]
    assert attached == (["HK-2026-000002.pdf"] if PDF else [])
    # a second run sends nothing and writes nothing
    again = json.loads(cli(*cfg, "remind", "run", "--as-of", AS_OF, "-f", "json").stdout)
    assert again["actions"] == [] and len(inbox.received) == 1
    assert sorted(p.name for p in outbox.iterdir()) == PRINTED


def test_failed_delivery_is_retried_with_the_same_reference(
    cli: Any, smtp: tuple[Inbox, int], outbox: Path, tmp_path: Path
) -> None:
    inbox, port = smtp
    _ledger(cli)
    closed = free_port()  # nothing listens there
    result = cli("--config", str(_config(tmp_path, closed)), "remind", "run", "--as-of", AS_OF, code=1)  # fmt: skip
    assert "could not be delivered" in result.stderr and "Traceback" not in result.output
    assert inbox.received == []
    cli("--config", str(_config(tmp_path, port)), "remind", "run", "--as-of", AS_OF)
    assert len(inbox.received) == 1
    msg = email.message_from_bytes(inbox.received[0][2], policy=email.policy.default)
    assert msg["X-Huikuan-Reference"] == "HK-2026-000002"  # the same number, not a third one
    letters = cli("log", "list", "C1", "-f", "json").stdout
    assert letters.count('"channel": "email"') == 1


@pytest.mark.parametrize(
    "settle",
    [
        "payment add C1 5000 --date 2026-11-20 --invoice INV-1",
        "invoice dispute INV-1 --reason 质量问题",
    ],
)
def test_a_retry_after_the_invoice_was_settled_is_dropped_not_sent(
    cli: Any, smtp: tuple[Inbox, int], outbox: Path, tmp_path: Path, settle: str
) -> None:
    inbox, port = smtp
    _ledger(cli)
    closed = free_port()
    cli("--config", str(_config(tmp_path, closed)), "remind", "run", "--as-of", AS_OF, code=1)
    cli(*settle.split())  # paid in full (or disputed) before the next run
    result = cli("--config", str(_config(tmp_path, port)), "remind", "run", "--as-of", AS_OF, "-f", "json")  # fmt: skip
    assert inbox.received == []  # no demand for money no longer owed
    assert "Note: C1 email: nothing left to collect on INV-1" in result.stderr
    assert [a["status"] for a in json.loads(result.stdout)["actions"]] == ["dropped"]
    again = cli("--config", str(_config(tmp_path, port)), "remind", "run", "--as-of", AS_OF)
    assert "Note:" not in again.stderr and inbox.received == []  # dropped for good, no retries
    logs = json.loads(cli("log", "list", "C1", "-f", "json").stdout)
    assert [entry["channel"] for entry in logs] == ["letter"]  # only the printed letter went


def test_starttls_refused_fails_cleanly(cli: Any, smtp: tuple[Inbox, int], outbox: Path, tmp_path: Path) -> None:  # fmt: skip
    inbox, port = smtp
    _ledger(cli)
    cfg = _config(tmp_path, port).read_text("utf-8").replace("starttls = false", "starttls = true")
    (tmp_path / "tls.toml").write_text(cfg, "utf-8")
    result = cli("--config", str(tmp_path / "tls.toml"), "remind", "run", "--as-of", AS_OF, code=1)
    assert "STARTTLS" in result.stderr or "starttls" in result.stderr.lower()
    assert inbox.received == []


def test_without_smtp_emails_go_to_the_outbox_once(cli: Any, outbox: Path) -> None:
    _ledger(cli)
    cli("remind", "run", "--as-of", AS_OF)
    cli("remind", "run", "--as-of", AS_OF)
    assert sorted(p.name for p in outbox.iterdir()) == sorted([*PRINTED, "HK-2026-000002.eml"])
    msg = email.message_from_bytes((outbox / "HK-2026-000002.eml").read_bytes(), policy=email.policy.default)  # fmt: skip
    assert msg["To"] == "陈会计 <chen@md.example.cn>"
    logs = json.loads(cli("log", "list", "C1", "-f", "json").stdout)
    assert all(entry["evidence"] is None for entry in logs)  # written, not sent: no evidence
    lim = json.loads(cli("limitation", "--as-of", AS_OF, "-f", "json").stdout)["rows"][0]
    assert lim["restarted_by"] is None  # an outbox file is no proof of delivery


def test_password_only_from_the_environment(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    _ledger(cli)
    cfg = tmp_path / "h.toml"
    cfg.write_text('[smtp]\nhost = "127.0.0.1"\nfrom = "a@b.example"\npassword = "x"\n', "utf-8")
    errors = cli.error("--config", str(cfg), "remind", "run", "--as-of", AS_OF)
    assert "HUIKUAN_SMTP_PASSWORD" in errors[0]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('timeout = "abc"', "smtp.timeout must be a number of seconds above 0"),
        ("timeout = 0", "smtp.timeout must be a number of seconds above 0"),
        ("timeout = true", "smtp.timeout must be a number of seconds above 0"),
        ('port = "25"', "smtp.port must be a port number"),
        ("port = 70000", "smtp.port must be a port number"),
        ('starttls = "yes"', "smtp.starttls must be true or false"),
        ('sender = "x"', "unknown [smtp] setting(s): sender"),
    ],
)
def test_bad_smtp_settings_are_one_clear_error(cli: Any, tmp_path: Path, setting: str, message: str) -> None:  # fmt: skip
    _ledger(cli)
    cfg = tmp_path / "h.toml"
    cfg.write_text(f'[smtp]\nhost = "127.0.0.1"\nfrom = "a@b.example"\n{setting}\n', "utf-8")
    before = cli("remind", "plan", "--as-of", AS_OF, "-f", "json").stdout
    errors = cli.error("--config", str(cfg), "remind", "run", "--as-of", AS_OF)
    assert len(errors) == 1 and message in errors[0], errors
    assert cli("remind", "plan", "--as-of", AS_OF, "-f", "json").stdout == before  # nothing run


def _letter(**kw: Any) -> Letter:
    base = {"reference": "HK-1", "kind": "demand", "lang": "zh", "customer": "C1",
            "customer_name": "上海明达", "subject": "催款函 HK-1", "html": "<p>x</p>", "text": "x"}  # fmt: skip
    return Letter(**{**base, **kw})


@pytest.mark.parametrize(
    ("letter", "to", "field"),
    [
        (_letter(to_name="陈会计\r\nBcc: thief@evil.example"), "chen@md.example.cn", "name"),
        (_letter(), "chen@md.example.cn\r\nBcc: thief@evil.example", "email"),
        (_letter(subject="催款函\nX-Evil: 1"), "chen@md.example.cn", "subject"),
        (_letter(), "not-an-address", "email"),
    ],
)
def test_header_injection_is_refused(letter: Letter, to: str, field: str) -> None:
    with pytest.raises(HuikuanError, match=f"customer C1: {field}"):
        build_message(letter, "ar@huikuan.example", to)


def test_a_hostile_customer_email_stops_the_run_cleanly(cli: Any, smtp: tuple[Inbox, int], outbox: Path, tmp_path: Path, ledger_rows: Any) -> None:  # fmt: skip
    inbox, port = smtp
    cli("init")
    hostile = "Evil\r\nBcc: x@evil.example"
    data = tmp_path / "c.json"
    data.write_text(json.dumps([{"code": "C9", "name": hostile, "email": "a@b.example"}]), "utf-8")
    refused = cli("import", "customers", str(data), code=1)  # imports refuse it now
    assert "name: must be one line" in refused.stderr
    data.write_text(json.dumps([{"code": "C9", "name": "Fine", "email": "a@b.example"}]), "utf-8")
    cli("import", "customers", str(data))
    # a ledger from before that check
    ledger_rows("UPDATE customer SET name = :name WHERE code = 'C9'", name=hostile)
    cli(
        "invoice",
        "add",
        "I9",
        "C9",
        "100",
        "--issue-date",
        "2026-10-01",
        "--due-date",
        "2026-11-01",
    )
    result = cli(
        "--config", str(_config(tmp_path, port)), "remind", "run", "--as-of", AS_OF, code=1
    )
    assert "line break" in result.stderr and inbox.received == []
