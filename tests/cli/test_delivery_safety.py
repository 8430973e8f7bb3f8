"""``remind run`` delivery safety (issue 11): no address, blank letterhead, encoded-word header
injection, a stable Message-ID across a crash, claims of crashed runs, any exception failing
only its message, no password over plain SMTP.

The ledger, as of 2026-11-20: C1 owes INV-1, 5,000.00 due 2026-11-01 (19 days late: the
standard policy's "demand" level, a 催款函 by letter and by email; the config sets
``escalation = "jump"`` so the first run goes straight to it).
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import socket
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ledger_sql import LedgerDB, ledger_db

aiosmtpd = pytest.importorskip("aiosmtpd.controller")
from mail_helpers import Inbox, smtp_server  # noqa: E402

AS_OF = "2026-11-20"
JUMP = '[dunning]\nescalation = "jump"\n'
COMPANY = (
    '[company]\nname = "杭州回款科技有限公司"\nbank = "工商银行杭州分行"\naccount = "1202 0000 1111"\n'
    + JUMP  # straight to "demand" (step would start at "overdue")
)
HOSTILE = "=?utf-8?q?Victim_Co=0D=0AReply-To=3A_pay=40evil=2Eexample?="
HEADERS = ["Subject", "From", "To", "Date", "Message-ID", "X-Huikuan-Reference",
           "MIME-Version", "Content-Type"]  # fmt: skip


def _accept_any(*args: Any) -> Any:
    from aiosmtpd.smtp import AuthResult

    return AuthResult(success=True)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server(auth_require_tls=False, authenticator=_accept_any) as server:
        yield server


@pytest.fixture
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    box = tmp_path / "outbox"
    monkeypatch.setenv("HUIKUAN_OUTBOX", str(box))
    return box


def _config(tmp_path: Path, text: str, name: str = "huikuan.toml") -> str:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return str(path)


def _smtp(port: int, extra: str = "") -> str:
    return f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\nfrom = "ar@huikuan.example"\n{extra}'  # fmt: skip


def _ledger(cli: Any, name: str = "上海明达机械有限公司", contact: str = "陈会计") -> None:
    cli("init")
    cli("customer", "add", "C1", name)
    cli("contact", "add", "C1", contact, "--role", "finance", "--email", "chen@md.example.cn")
    cli("invoice", "add", "INV-1", "C1", "5000", "--issue-date", "2026-10-01", "--due-date", "2026-11-01")  # fmt: skip


def _statuses(out: str) -> list[tuple[str, str]]:
    return sorted((a["channel"], a["status"]) for a in json.loads(out)["actions"])


def _db() -> LedgerDB:
    return ledger_db()


# --- 3. no recipient ----------------------------------------------------------------------


def test_an_email_without_address_fails_raises_a_task_and_goes_once_one_exists(
    cli: Any, outbox: Path, tmp_path: Path
) -> None:
    cfg = ("--config", _config(tmp_path, COMPANY))
    cli("init")
    cli("customer", "add", "C1", "上海明达机械有限公司")  # no email anywhere
    cli("contact", "add", "C1", "陈会计", "--role", "finance", "--phone", "13800000000")
    cli("invoice", "add", "INV-1", "C1", "5000", "--issue-date", "2026-10-01", "--due-date", "2026-11-01")  # fmt: skip
    result = cli(*cfg, "remind", "run", "--as-of", AS_OF, "-f", "json", code=1)
    assert _statuses(result.stdout) == [("email", "failed"), ("letter", "sent")]
    assert "Warning: C1 email: C1: no email address" in result.stderr
    assert not list(outbox.glob("*.eml"))  # nothing written without a To:
    with _db() as db:
        (error,) = db.execute(
            "SELECT error FROM dunning_message WHERE channel = 'email'"
        ).fetchone()
    assert error.startswith("C1: no email address")
    todo = json.loads(cli(*cfg, "remind", "todo", "--as-of", AS_OF, "-f", "json").stdout)
    assert [(t["kind"], t["customer"]) for t in todo["tasks"]] == [("call", "C1")]
    assert "No email address on file" in todo["tasks"][0]["points"]
    again = cli(*cfg, "remind", "run", "--as-of", AS_OF, code=1)  # still no address: one task
    assert "no email address" in again.stderr
    assert len(json.loads(cli(*cfg, "remind", "todo", "--as-of", AS_OF, "-f", "json").stdout)["tasks"]) == 1  # fmt: skip
    cli("contact", "add", "C1", "王总", "--role", "decision_maker", "--email", "wang@md.example.cn")
    sent = cli(*cfg, "remind", "run", "--as-of", AS_OF, "-f", "json")
    assert _statuses(sent.stdout) == [("email", "sent")]
    (eml,) = outbox.glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert msg["To"] == "王总 <wang@md.example.cn>"
    todo = json.loads(cli(*cfg, "remind", "todo", "--as-of", AS_OF, "-f", "json").stdout)
    assert todo["tasks"] == []  # the address was found: the task is closed
    logs = json.loads(cli("log", "list", "C1", "-f", "json").stdout)
    assert sorted(entry["channel"] for entry in logs) == ["email", "letter"]


# --- 4. letterhead ------------------------------------------------------------------------


def test_no_letter_goes_out_with_a_blank_letterhead(cli: Any, outbox: Path, tmp_path: Path) -> None:
    _ledger(cli)
    blank = (
        "--config",
        _config(tmp_path, '[company]\nname = "杭州回款科技有限公司"\n' + JUMP, "blank.toml"),
    )
    result = cli(*blank, "remind", "run", "--as-of", AS_OF, "-f", "json", code=1)
    assert _statuses(result.stdout) == [("email", "failed"), ("letter", "failed")]
    assert "no bank, account under [company]" in result.stderr
    assert not outbox.exists()
    assert json.loads(cli("log", "list", "C1", "-f", "json").stdout) == []
    letter = cli("letter", "demand", "C1", "--as-of", AS_OF, "--draft")  # letter: still a warning
    assert "Warning: no [company] name" in letter.stderr
    good = ("--config", _config(tmp_path, COMPANY))
    fixed = cli(*good, "remind", "run", "--as-of", AS_OF, "-f", "json")
    assert _statuses(fixed.stdout) == [("email", "sent"), ("letter", "sent")]


# --- 5. header injection through an RFC 2047 encoded word --------------------------------


def _check_headers(raw: bytes) -> email.message.EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert list(msg.keys()) == HEADERS, list(msg.keys())
    head = raw.replace(b"\r\n", b"\n").split(b"\n\n")[0]  # (the body shows the name as text)
    assert msg["Reply-To"] is None and b"Reply-To" not in head
    (to,) = msg["To"].addresses
    assert (to.addr_spec, to.display_name) == ("chen@md.example.cn", HOSTILE)
    return msg


def test_an_encoded_word_in_a_name_adds_no_header_to_the_outbox_file(
    cli: Any, outbox: Path, tmp_path: Path
) -> None:
    _ledger(cli, name=HOSTILE, contact=HOSTILE)
    cli("--config", _config(tmp_path, COMPANY), "remind", "run", "--as-of", AS_OF)
    (eml,) = outbox.glob("*.eml")
    _check_headers(eml.read_bytes())


def test_an_encoded_word_in_a_name_adds_no_header_over_smtp(
    cli: Any, outbox: Path, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    _ledger(cli, name=HOSTILE, contact=HOSTILE)
    cli("--config", _config(tmp_path, COMPANY + _smtp(port)), "remind", "run", "--as-of", AS_OF)
    ((_, rcpts, raw),) = inbox.received
    assert rcpts == ["chen@md.example.cn"]
    _check_headers(raw)


# --- 6. and 7. a crash between the server's accept and the status update -----------------


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _crash_after(monkeypatch: pytest.MonkeyPatch, target: str, email_only: bool = False) -> None:
    """Make ``target`` die like a killed process (nothing after it runs), for every message
    or (``email_only``) for the email only."""
    module, _, name = target.rpartition(".")
    real = getattr(__import__(module, fromlist=[name]), name)

    def killed(*args: Any, **kw: Any) -> Any:
        if email_only and "'channel': 'email'" not in repr(args):
            return real(*args, **kw)
        raise KeyboardInterrupt

    monkeypatch.setattr(target, killed)


def _held_by(pid: int, host: str | None = None, updated: str | None = None) -> None:
    """Make the ``sending`` message's claim (and its last update) look like this."""
    with _db() as db:
        db.execute(
            "UPDATE dunning_message SET claimed_pid = ?, claimed_host = ?,"
            " updated_at = COALESCE(?, updated_at), claimed_at = COALESCE(?, claimed_at)"
            " WHERE status = 'sending'",
            (pid, host or socket.gethostname(), updated, updated),
        )


def test_a_crash_after_the_smtp_accept_resends_the_same_message_id_and_logs_once(
    cli: Any, outbox: Path, tmp_path: Path, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp
    _ledger(cli)
    cfg = ("--config", _config(tmp_path, COMPANY + _smtp(port)))
    with monkeypatch.context() as m:
        _crash_after(
            m, "huikuan.cli.deliver._log", email_only=True
        )  # killed once the server said 250
        killed = cli.runner.invoke(app(), [*cfg, "remind", "run", "--as-of", AS_OF])
    assert killed.exit_code == 130  # interrupted
    assert len(inbox.received) == 1
    _held_by(_dead_pid())
    plan = cli(*cfg, "remind", "plan", "--as-of", AS_OF)
    assert "1 message(s) not delivered yet (1 waiting)" in plan.stdout  # not "Nothing to do."
    out = cli(*cfg, "remind", "run", "--as-of", AS_OF, "-f", "json")  # at once, not in 10 min
    assert [a["status"] for a in json.loads(out.stdout)["actions"]] == ["sent"]
    first, second = (email.message_from_bytes(r[2], policy=email.policy.default) for r in inbox.received)  # fmt: skip
    assert first["Message-ID"] == second["Message-ID"] == "<HK-2026-000002@huikuan.example>"
    logs = json.loads(cli("log", "list", "C1", "-f", "json").stdout)
    assert sorted(entry["channel"] for entry in logs) == ["email", "letter"]


def test_a_crash_after_the_log_neither_resends_nor_logs_again(
    cli: Any, outbox: Path, tmp_path: Path, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp
    _ledger(cli)
    cfg = ("--config", _config(tmp_path, COMPANY + _smtp(port)))
    with monkeypatch.context() as m:
        _crash_after(m, "huikuan.store.dunning.finish")
        killed = cli.runner.invoke(app(), [*cfg, "remind", "run", "--as-of", AS_OF])
    assert killed.exit_code == 130  # interrupted
    _held_by(_dead_pid())
    cli(*cfg, "remind", "run", "--as-of", AS_OF)
    cli(*cfg, "remind", "run", "--as-of", AS_OF)
    assert len(inbox.received) == 1
    with _db() as db:
        assert db.execute("SELECT status FROM dunning_message").fetchall() == [("sent",), ("sent",)]
    logs = json.loads(cli("log", "list", "C1", "-f", "json").stdout)
    assert sorted(entry["channel"] for entry in logs) == ["email", "letter"]


def _crashed_run(cli: Any, cfg: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A run killed after claiming its first message (the printed letter)."""
    with monkeypatch.context() as m:
        _crash_after(m, "huikuan.cli.deliver.deliver")
        killed = cli.runner.invoke(app(), [*cfg, "remind", "run", "--as-of", AS_OF])
    assert killed.exit_code == 130  # interrupted


OLD = "2000-01-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("pid", "host", "updated", "letter"),
    [
        (os.getpid(), None, None, "sending"),  # our own process holds it: left alone
        (1, None, OLD, "waiting"),  # pid 1 runs, but started after the claim: a reused pid
        (4242, "elsewhere.example", None, "sending"),  # another host, just now: timeout applies
        (4242, "elsewhere.example", OLD, "waiting"),  # … and once it has passed, it is retried
    ],
)
def test_claims_of_live_processes_and_other_hosts_are_respected(
    cli: Any, outbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    pid: int, host: str | None, updated: str | None, letter: str,
) -> None:  # fmt: skip
    _ledger(cli)
    cfg = ("--config", _config(tmp_path, COMPANY))
    _crashed_run(cli, cfg, monkeypatch)  # the letter is "sending", the email still pending
    _held_by(pid, host, updated)
    plan = json.loads(cli(*cfg, "remind", "plan", "--as-of", AS_OF, "-f", "json").stdout)
    assert _statuses(json.dumps(plan)) == [("email", "waiting"), ("letter", letter)]
    out = cli(*cfg, "remind", "run", "--as-of", AS_OF, "-f", "json")
    sent = [("email", "sent")] + ([("letter", "sent")] if letter == "waiting" else [])
    assert _statuses(out.stdout) == sent
    with _db() as db:
        statuses = dict(db.execute("SELECT channel, status FROM dunning_message").fetchall())
    assert statuses == {"letter": "sent" if letter == "waiting" else "sending", "email": "sent"}
    if letter == "sending":
        assert "Note: 1 message(s) are being sent by another run" in out.stderr


# --- 8. any exception fails only its message ---------------------------------------------


def test_an_exception_while_composing_fails_that_message_and_the_run_goes_on(
    cli: Any, outbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huikuan.letters import compose

    _ledger(cli)
    cli("customer", "add", "C2", "苏州小厂", "--email", "ap@xc.example.cn")
    cli("invoice", "add", "INV-2", "C2", "800", "--issue-date", "2026-10-01", "--due-date", "2026-11-01")  # fmt: skip
    real = compose.context

    def overflow(**kw: Any) -> dict[str, Any]:
        if kw["customer"]["code"] == "C2":
            raise OverflowError("date value out of range")
        return real(**kw)

    monkeypatch.setattr(compose, "context", overflow)
    result = cli("--config", _config(tmp_path, COMPANY), "remind", "run", "--as-of", AS_OF, "-f", "json", code=1)  # fmt: skip
    got = sorted((a["customer"], a["channel"], a["status"]) for a in json.loads(result.stdout)["actions"])  # fmt: skip
    assert got == [("C1", "email", "sent"), ("C1", "letter", "sent"),
                   ("C2", "email", "failed"), ("C2", "letter", "failed")]  # fmt: skip
    assert "Warning: C2 letter, C2 email: OverflowError: date value out of range" in result.stderr
    assert "Error: 2 message(s) could not be delivered" in result.stderr
    with _db() as db:
        rows = db.execute("SELECT status, error FROM dunning_message ORDER BY id").fetchall()
    assert ("sending", None) not in rows and rows.count(("failed", "OverflowError: date value out of range")) == 2  # fmt: skip


# --- 9. no password over plain SMTP ------------------------------------------------------


def test_no_password_over_an_unencrypted_connection(
    cli: Any, outbox: Path, tmp_path: Path, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp
    _ledger(cli)
    monkeypatch.setenv("HUIKUAN_SMTP_PASSWORD", "s3cret")
    plain = ("--config", _config(tmp_path, COMPANY + _smtp(port, 'user = "ar"\n')))
    result = cli(*plain, "remind", "run", "--as-of", AS_OF, code=1)
    assert "refusing to send the password unencrypted" in result.stderr
    assert "allow_plaintext_auth = true" in result.stderr and inbox.received == []
    allowed = _smtp(port, 'user = "ar"\nallow_plaintext_auth = true\n')
    cli("--config", _config(tmp_path, COMPANY + allowed, "ok.toml"), "remind", "run", "--as-of", AS_OF)  # fmt: skip
    assert len(inbox.received) == 1


def test_allow_plaintext_auth_must_be_a_boolean(cli: Any, tmp_path: Path) -> None:
    cli("init")
    cfg = _config(tmp_path, _smtp(25, 'allow_plaintext_auth = "yes"\n'))
    errors = cli.error("--config", cfg, "remind", "plan")
    assert len(errors) == 1
    assert errors[0].endswith("huikuan.toml: smtp.allow_plaintext_auth must be true or false")


# --- 10. a hostile user template ---------------------------------------------------------


def test_a_hostile_user_template_fails_its_message_in_remind_run(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = tmp_path / "mine"
    (user / "zh").mkdir(parents=True)
    (user / "zh" / "demand.txt.j2").write_text("{{ 99999 ** 99999 }}", "utf-8")
    cfg = tmp_path / "huikuan.toml"
    cfg.write_text(
        '[company]\nname = "杭州回款"\nbank = "工行"\naccount = "1202"\n'
        f"[letters]\ntemplates = {json.dumps(str(user))}\n"
        '[dunning]\nescalation = "jump"\n',
        "utf-8",
    )
    monkeypatch.setenv("HUIKUAN_OUTBOX", str(tmp_path / "outbox"))
    cli("init")
    cli("customer", "add", "C1", "上海明达", "--email", "ap@md.example.cn")
    cli("invoice", "add", "INV-1", "C1", "5000", "--issue-date", "2026-10-01", "--due-date", "2026-11-01")  # fmt: skip
    result = cli("--config", str(cfg), "remind", "run", "--as-of", "2026-11-20", "-f", "json", code=1)  # fmt: skip
    assert [a["status"] for a in json.loads(result.stdout)["actions"]] == ["failed", "failed"]
    assert "letter template zh/demand.txt.j2: refused: 99999 ** 99999 is too large" in result.stderr
    errors = cli.error("--config", str(cfg), "letter", "demand", "C1", "--as-of", "2026-11-20", "-f", "txt")  # fmt: skip
    assert errors == ["Error: letter template zh/demand.txt.j2: refused: 99999 ** 99999 is too large for a letter"]  # fmt: skip


def app() -> Any:
    from huikuan.cli import app as root

    return root


def test_a_non_ascii_address_is_a_clear_error() -> None:
    from huikuan.core.errors import HuikuanError
    from huikuan.letters.letter import Letter
    from huikuan.letters.mail import build_message

    made = Letter("HK-1", "demand", "zh", "C1", "上海明达", "催款函 HK-1", "<p>x</p>", "x")
    with pytest.raises(HuikuanError, match="customer C1: email: only ASCII addresses"):
        build_message(made, "ar@huikuan.example", "陈@例子.中国")


def test_a_message_just_recorded_by_a_live_run_is_left_to_it(
    cli: Any, outbox: Path, tmp_path: Path
) -> None:
    """Another run (a live process) recorded the message: this run neither sends nor reports
    it; once that process is gone, the next run sends it at once."""
    cfg = ("--config", _config(tmp_path, COMPANY))
    _ledger(cli)
    with _db() as db:  # what a run that recorded it and has not delivered it yet leaves behind
        db.execute(
            "INSERT INTO dunning_message (customer_id, run_date, policy, level, level_name,"
            " channel, letter, invoices, status, created_at, updated_at, claimed_pid,"
            " claimed_host, claimed_at) VALUES (1, ?, 'standard', 2, 'demand', 'email', 'demand',"
            " '[\"INV-1\"]', 'pending', ?, ?, ?, ?, ?)",
            (AS_OF, "2026-11-20T08:00:00+00:00", "2026-11-20T08:00:00+00:00", 0, socket.gethostname(), "2026-11-20T08:00:00+00:00"),
        )  # fmt: skip
        db.execute(
            "INSERT INTO dunning_action (invoice_id, level, level_name, status, run_date,"
            " message_id) VALUES (1, 2, 'demand', 'done', ?, 1)",
            (AS_OF,),
        )
    other = subprocess.Popen(["sleep", "30"])
    try:
        with _db() as db:  # recorded by it, after it started (an older claim: a reused pid)
            db.execute(
                "UPDATE dunning_message SET claimed_pid = ?, claimed_at = ?",
                (other.pid, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        out = cli(*cfg, "remind", "run", "--as-of", AS_OF, "-f", "json").stdout
        assert _statuses(out) == [] and not list(outbox.glob("*.eml"))
    finally:
        other.kill()
        other.wait()
    out = cli(*cfg, "remind", "run", "--as-of", AS_OF, "-f", "json").stdout
    assert _statuses(out) == [("email", "sent")] and len(list(outbox.glob("*.eml"))) == 1
