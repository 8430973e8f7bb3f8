"""``customer add|list|show|edit|block|unblock`` and ``contact add|list|edit|remove``."""

from __future__ import annotations

from typing import Annotated

import typer

from huikuan.cli.common import App, FormatOpt, checked_by, done, emit, parse_day
from huikuan.cli.context import service_context
from huikuan.core.rows import plain, plain_all
from huikuan.core.text import required_line
from huikuan.output import Result

customer_app = App(
    help="Customers: add, list, show, edit, block, unblock.\n\nExample: huikuan customer list --format csv"
)
contact_app = App(
    help="Contacts of a customer (decision maker, finance, …): add, list, edit, remove.\n\nExample: huikuan contact list C001"
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
    from huikuan.services.customers import add_customer

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
    with service_context(parse_day(None)) as ctx:
        add_customer(ctx, row)
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
    from huikuan.services.customers import list_customers

    with service_context(parse_day(None)) as ctx:
        rows = list_customers(ctx, segment, salesperson, blocked)
        emit(Result(LIST_COLUMNS, plain_all(rows), money={"credit_limit"}), fmt)


@customer_app.command("show")
def show(
    code: Code,
    as_of: Annotated[str | None, typer.Option(help="Overdue as of [today].")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Show a customer with contacts and balances.

    Example: huikuan customer show C001 --format json
    """
    from huikuan.services.customers import show_customer

    day = parse_day(as_of, "--as-of")
    with service_context(day) as ctx:
        detail = show_customer(ctx, code)
    info, people = plain(detail.info), [plain(c) for c in detail.contacts]
    bals = [plain(b) for b in detail.balances]
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
    from huikuan.core.records import CUSTOMER_COLUMNS
    from huikuan.services.customers import edit_customer

    given = {
        k: v for k, v in locals().items() if k in CUSTOMER_COLUMNS and k != "code" and v is not None
    }
    with service_context(parse_day(None)) as ctx:
        edit_customer(ctx, code, given, legal, dunning_policy)
    done(f"Updated customer {code}")


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
    from huikuan.services.customers import set_blocked

    with service_context(parse_day(None)) as ctx:
        set_blocked(ctx, code, blocked, reason)
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
    from huikuan.services.customers import add_contact

    row = {
        "name": name,
        "role": role,
        "title": title,
        "phone": phone,
        "email": email,
        "wechat": wechat,
        "note": note,
    }
    with service_context(parse_day(None)) as ctx:
        rec = add_contact(ctx, code, row)
    done(f"Added contact {name} ({rec['role']}) to {code}")


@contact_app.command("list")
def contact_list(
    code: Annotated[str | None, typer.Argument(help="Only this customer.")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """List contacts (finance and decision makers first).

    Example: huikuan contact list C001
    """
    from huikuan.services.customers import list_contacts

    cols = ["customer", "name", "role", "title", "phone", "email", "wechat", "note"]
    with service_context(parse_day(None)) as ctx:
        emit(Result(cols, plain_all(list_contacts(ctx, code))), fmt)


ContactName = Annotated[str, typer.Argument(help="The contact's name as listed.")]
Reason = Annotated[str, typer.Option(help="Why (kept in the audit log; required).")]
CurrentRole = Annotated[
    str | None,
    typer.Option(help="The contact's role now, when two contacts share the name.", callback=_role),
]


@contact_app.command("edit")
def contact_edit(
    code: Code,
    contact: ContactName,
    reason: Reason,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    role: Annotated[
        str | None, typer.Option(help="New role (or 财务, 决策人, …).", callback=_role)
    ] = None,
    title: Opt = None,
    phone: Opt = None,
    email: Opt = None,
    wechat: Opt = None,
    note: Opt = None,
    current_role: CurrentRole = None,
) -> None:
    """Correct a contact's fields (only those given; "" clears one).

    Example: huikuan contact edit C001 李会计 --phone 13900000000 --reason "new mobile number"
    """
    from huikuan.services.corrections import edit_contact

    why = required_line(reason, "--reason")
    fields = {"name": name, "role": role, "title": title, "phone": phone, "email": email}
    fields |= {"wechat": wechat, "note": note}
    given = {k: v for k, v in fields.items() if v is not None}
    with service_context(parse_day(None)) as ctx:
        edited = edit_contact(ctx, code, contact, given, why, current_role)
    done(f"Updated contact {contact} of {code}: {', '.join(edited.after)}")


@contact_app.command("remove")
def contact_remove(
    code: Code,
    contact: ContactName,
    reason: Reason,
    current_role: CurrentRole = None,
) -> None:
    """Remove a contact: kept in the audit log, no longer listed nor used as addressee.

    Example: huikuan contact remove C001 王经理 --reason "left the company"
    """
    from huikuan.services.corrections import remove_contact

    why = required_line(reason, "--reason")
    with service_context(parse_day(None)) as ctx:
        remove_contact(ctx, code, contact, why, current_role)
    done(f"Removed contact {contact} of {code}")


def register(app: typer.Typer) -> None:
    """Add these command groups to the root app."""
    app.add_typer(customer_app, name="customer")
    app.add_typer(contact_app, name="contact")
