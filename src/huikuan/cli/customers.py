"""``customer add|list|show|edit|block|unblock`` and ``contact add|list``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from huikuan.cli.common import App, FormatOpt, checked_by, done, emit, ledger, parse_day
from huikuan.core.errors import HuikuanError
from huikuan.core.text import required_line
from huikuan.output import Result

customer_app = App(
    help="Customers: add, list, show, edit, block, unblock.\n\nExample: huikuan customer list --format csv"
)
contact_app = App(
    help="Contacts of a customer (decision maker, finance, …).\n\nExample: huikuan contact list C001"
)

Code = Annotated[str, typer.Argument(help="Customer code, e.g. C001.")]


def _check_language(value: str) -> str:
    from huikuan.core.records import parse_language

    return parse_language(value)


def _check_role(value: str) -> str:
    from huikuan.core.records import parse_role

    return parse_role(value)


_language, _role = checked_by(_check_language), checked_by(_check_role)
Opt = Annotated[str | None, typer.Option()]
LIST_COLUMNS = [
    "code",
    "name",
    "segment",
    "region",
    "salesperson",
    "terms",
    "credit_limit",
    "blocked",
    "legal",
]


@customer_app.command("add")
def add(
    code: Code,
    name: Annotated[str, typer.Argument(help="Customer name.")],
    segment: Opt = None,
    region: Opt = None,
    salesperson: Opt = None,
    email: Opt = None,
    phone: Opt = None,
    language: Annotated[str, typer.Option(help="zh or en.", callback=_language)] = "zh",
    credit_limit: Annotated[str | None, typer.Option(help="Credit limit, e.g. 200,000.")] = None,
    terms: Annotated[
        str | None, typer.Option(help="Default terms, e.g. NET30 or 月结60天.")
    ] = None,
) -> None:
    """Add a customer.

    Example: huikuan customer add C001 上海明达机械有限公司 --terms 月结30天 --salesperson 王丽
    """
    from huikuan.core.errors import Conflict
    from huikuan.core.records import check_customer, raise_problems
    from huikuan.store import ledger as L

    row = {
        "code": code,
        "name": name,
        "segment": segment,
        "region": region,
        "salesperson": salesperson,
        "email": email,
        "phone": phone,
        "language": language,
        "credit_limit": credit_limit,
        "terms": terms,
    }
    rec, problems = check_customer(row)
    raise_problems(problems)
    with ledger() as led, led.transaction() as conn:
        if L.customer_ref(conn, code):
            raise Conflict(f"customer {code} already exists (use `huikuan customer edit`)")
        L.insert_customers(conn, [rec])
        L.audit(conn, led.user, "add", "customer", code, rec)
    done(f"Added customer {code}")


@customer_app.command("list")
def list_(
    segment: Opt = None,
    salesperson: Opt = None,
    blocked: Annotated[
        bool | None, typer.Option("--blocked/--not-blocked", help="Only (not) blocked.")
    ] = None,
    fmt: FormatOpt = "table",
) -> None:
    """List customers.

    Example: huikuan customer list --salesperson 王丽 --format csv
    """
    from huikuan.store import queries as Q

    with ledger() as led:
        emit(
            Result(
                LIST_COLUMNS,
                Q.customers(led.conn, segment, salesperson, blocked),
                money={"credit_limit"},
            ),
            fmt,
        )


@customer_app.command("show")
def show(
    code: Code,
    as_of: Annotated[str | None, typer.Option(help="Overdue as of [today].")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Show a customer with contacts and balances.

    Example: huikuan customer show C001 --format json
    """
    from huikuan.store import queries as Q

    day = parse_day(as_of, "--as-of")
    with ledger() as led:
        info = Q.customer(led.conn, code)
        people = list(Q.contacts(led.conn, code))
        bals = Q.balances(led.conn, code, day)
    doc = {**info, "contacts": people, "balances": bals}
    fields = [{"field": k, "value": v} for k, v in info.items()]
    emit(
        Result(
            ["field", "value"],
            fields,
            document=doc,
            title=f"Customer {code}",
            sections=[
                Result(
                    ["name", "role", "title", "phone", "email", "wechat"], people, title="Contacts"
                ),
                Result(
                    ["currency", "invoiced", "open", "overdue", "unapplied"],
                    bals,
                    title=f"Balances as of {day}",
                    money={"invoiced", "open", "overdue", "unapplied"},
                ),
            ],
        ),
        fmt,
    )


@customer_app.command("edit")
def edit(
    code: Code,
    name: Opt = None,
    segment: Opt = None,
    region: Opt = None,
    salesperson: Opt = None,
    email: Opt = None,
    phone: Opt = None,
    language: Annotated[str | None, typer.Option(help="zh or en.", callback=_language)] = None,
    credit_limit: Opt = None,
    terms: Opt = None,
    legal: Annotated[
        bool | None, typer.Option("--legal/--no-legal", help="In litigation (no more dunning).")
    ] = None,
    dunning_policy: Annotated[
        str | None, typer.Option(help='Dunning policy from huikuan.toml ("" = by segment).')
    ] = None,
) -> None:
    """Change a customer's fields (only those given). Use "" to clear a field.

    Example: huikuan customer edit C001 --credit-limit 300000 --terms NET45
    """
    from huikuan.core.errors import HuikuanError
    from huikuan.core.records import CUSTOMER_COLUMNS, check_customer, raise_problems
    from huikuan.store import ledger as L
    from huikuan.store import queries as Q

    given = {
        k: v for k, v in locals().items() if k in CUSTOMER_COLUMNS and k != "code" and v is not None
    }
    if not given and legal is None and dunning_policy is None:
        raise HuikuanError("nothing to change (give at least one option, see --help)")
    with ledger() as led, led.transaction() as conn:
        current = {k: v for k, v in Q.customer(conn, code).items() if k in CUSTOMER_COLUMNS}
        rec, problems = check_customer({**current, **given})
        raise_problems(problems)
        changes: dict[str, Any] = {k: rec[k] for k in given}
        if legal is not None:
            changes["legal"] = int(legal)
        if dunning_policy is not None:
            changes["dunning_policy"] = _policy(dunning_policy)
        L.update_customer(conn, led.user, code, changes)
    done(f"Updated customer {code}")


def _policy(name: str) -> str | None:
    from huikuan.cli.common import state

    policies = state().config.dunning.policies
    if name and name not in policies:
        raise HuikuanError(f"unknown dunning policy {name!r} (known: {', '.join(policies)})")
    return name or None


@customer_app.command("block")
def block(
    code: Code, reason: Annotated[str, typer.Option(help="Why (shown to colleagues).")]
) -> None:
    """Block a customer: credit checks say no until unblocked.

    Example: huikuan customer block C007 --reason "120 days overdue"
    """
    _set_block(code, True, required_line(reason, "--reason"))


@customer_app.command("unblock")
def unblock(code: Code) -> None:
    """Lift a block.

    Example: huikuan customer unblock C007
    """
    _set_block(code, False, None)


def _set_block(code: str, blocked: bool, reason: str | None) -> None:
    from huikuan.store import ledger as L

    with ledger() as led, led.transaction() as conn:
        L.set_blocked(conn, led.user, code, blocked, reason)
    done(f"{'Blocked' if blocked else 'Unblocked'} customer {code}")


@contact_app.command("add")
def contact_add(
    code: Code,
    name: Annotated[str, typer.Argument(help="Contact's name.")],
    role: Annotated[
        str,
        typer.Option(
            help="decision_maker, finance, purchasing, legal_rep or other; "
            "or 决策人, 财务, 采购, 法人, 其他.",
            callback=_role,
        ),
    ] = "other",
    title: Opt = None,
    phone: Opt = None,
    email: Opt = None,
    wechat: Opt = None,
    note: Opt = None,
) -> None:
    """Add a contact to a customer.

    Example: huikuan contact add C001 李会计 --role 财务 --phone 13800000000
    """
    from huikuan.core.records import check_contact, raise_problems
    from huikuan.store import ledger as L

    rec, problems = check_contact(
        {
            "name": name,
            "role": role,
            "title": title,
            "phone": phone,
            "email": email,
            "wechat": wechat,
            "note": note,
        }
    )
    raise_problems(problems)
    with ledger() as led, led.transaction() as conn:
        L.add_contact(conn, led.user, code, rec)
    done(f"Added contact {name} ({rec['role']}) to {code}")


@contact_app.command("list")
def contact_list(
    code: Annotated[str | None, typer.Argument(help="Only this customer.")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """List contacts (finance and decision makers first).

    Example: huikuan contact list C001
    """
    from huikuan.store import queries as Q

    cols = ["customer", "name", "role", "title", "phone", "email", "wechat", "note"]
    with ledger() as led:
        emit(Result(cols, Q.contacts(led.conn, code)), fmt)


def register(app: typer.Typer) -> None:
    """Add these command groups to the root app."""
    app.add_typer(customer_app, name="customer")
    app.add_typer(contact_app, name="contact")
