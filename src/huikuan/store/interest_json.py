"""``interest --format json`` rows spelt by SQLite itself: the fast path of a long report.

The rows of :func:`huikuan.store.interest.accrual_sums` become the command's JSON row text
in SQL (``printf`` + ``json_quote``, the same bytes ``json.dumps`` gives, interest as the
exact whole-number rounding of :meth:`huikuan.core.interest.Ratio.times_rounded`), so Python
handles batches of text, not a tuple, a dataclass and a dict per invoice. Used only where it
gives what the general path gives: SQLite (:data:`JSON_TEXT_DIALECTS`), rules sharing their
grace days, rates and caps whose exact ratios fit 64-bit arithmetic (:func:`json_plan`). A row
whose numbers are too big for that arithmetic comes as an :class:`InvoiceInterest` from the
general path instead. A whole-ledger report runs in two halves by customer code on two
connections at once (:mod:`huikuan.store.interest_split`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from huikuan.core.interest import InterestPolicy, InterestRule, InvoiceInterest, Ratio
from huikuan.db.dialect import greatest, json_quote, least, sprintf
from huikuan.db.tables import customer
from huikuan.store.db import Connection, sa_of
from huikuan.store.interest import Codes, accrual_sums, one_invoice, uniform_grace

WIDE = 2**63 - 1  # SQLite's largest integer
MIN_EXACT = 10**13  # a rule whose ratio is exact only below this takes the general path (> BIG)
BIG = 2**40  # 分: principal and late payments below this cannot overflow n (days < 2**22)
FETCH = 2000  # rows per fetch, joined into one text
SEPARATOR = ",\n    "  # between the items of a streamed JSON list (huikuan.output)
Sums = dict[str, list[int]]  # currency -> [分 open, 分 interest]


@dataclass(frozen=True)
class JsonRule:
    """One rule in whole numbers: interest = n × p / q rounded half-up for |n| < ``limit``;
    the cap cp / cq of the principal, for a principal below ``cap_limit``; its JSON text."""

    p: int
    q: int
    limit: int
    cap: tuple[int, int] | None
    cap_limit: int
    text: str


@dataclass(frozen=True)
class JsonPlan:
    """The policy's grace days and rules, and which rule each contract and customer takes
    (index 0: the default)."""

    policy: InterestPolicy
    grace: int
    rules: tuple[JsonRule, ...]
    contracts: dict[str, int]
    customers: dict[str, int]


def json_plan(policy: InterestPolicy) -> JsonPlan | None:
    """The policy as whole-number rules (None where the fast path would not give exactly
    what :func:`huikuan.store.interest.invoice_interest` gives)."""
    grace = uniform_grace(policy)
    if grace is None:
        return None
    found: dict[int, int] = {}
    rules: list[JsonRule] = []
    for rule in (policy.default, *policy.customers.values(), *policy.contracts.values()):
        if id(rule) not in found:
            made = _json_rule(rule)
            if made is None:
                return None
            found[id(rule)] = len(rules)
            rules.append(made)
    contracts = {k: found[id(r)] for k, r in policy.contracts.items() if k}  # "": no contract
    customers = {k: found[id(r)] for k, r in policy.customers.items()}
    return JsonPlan(policy, grace, tuple(rules), contracts, customers)


def _json_rule(rule: InterestRule) -> JsonRule | None:
    rate = Ratio.of(rule.daily)
    limit = _limit(rate)
    cap = Ratio.of(rule.cap) if rule.cap is not None else None
    cap_limit = _limit(cap) if cap is not None else WIDE
    if min(limit, cap_limit) < MIN_EXACT:
        return None
    text = json.dumps(rule.text, ensure_ascii=False)
    return JsonRule(rate.p, rate.q, limit, (cap.p, cap.q) if cap else None, cap_limit, text)


def _limit(ratio: Ratio) -> int:
    """Below this size a whole number times ``ratio`` rounds in 64-bit SQL as in Decimal."""
    room = (WIDE - ratio.q) // (2 * ratio.p) if ratio.p else WIDE
    return min(ratio.exact_below, room) if 2 * ratio.q <= WIDE else 0


# --- the statement --------------------------------------------------------------------------


def json_statement(
    plan: JsonPlan, code: str | None, include_paid: bool, codes: Codes, by_id: bool = False
) -> Any:
    """The rows as JSON text, by customer code, due date, number: ``text`` (None for a row
    beyond the whole-number limits), ``currency``, ``open`` and ``interest`` in 分, and the
    invoice ``number`` of a row without text. Parameters ``:d``, ``:g``, ``:cut``.

    ``by_id``: the customers' ids run in the order of their codes (:func:`ids_in_code_order`),
    so the rows are sorted by customer id and the code looked up after the sort (the grouped
    rows go straight to the sort, a tenth faster)."""
    g = accrual_sums(code, include_paid, codes=codes)
    if by_id:
        rule = _rule_index(plan, g.c.contract, _code_of(g.c.customer_id))
        figures = _figures(plan, g, rule, g.c.customer_id)
        k = figures.order_by(g.c.customer_id, g.c.due_date, g.c.number).subquery("k")
        code_of_row = _code_of(k.c.customer_id)
    else:
        rule = _rule_index(plan, g.c.contract, customer.c.code)
        figures = _figures(plan, g, rule, customer.c.code)
        figures = figures.join_from(g, customer, customer.c.id == g.c.customer_id)
        k = figures.order_by(customer.c.code, g.c.due_date, g.c.number).subquery("k")
        code_of_row = k.c.code
    ok = k.c.ok == 1
    cols = (
        sa.case((ok, _text(plan, k.c, code_of_row)), else_=sa.null()).label("text"),
        k.c.currency, k.c.open, k.c.fen,
        sa.case((ok, sa.null()), else_=k.c.number).label("number"),
    )  # fmt: skip
    return sa.select(*cols).where(sa.or_(k.c.days > 0, k.c.fen > 0, sa.not_(ok)))


def _code_of(customer_id: Any) -> Any:
    """The code of the customer ``customer_id``."""
    return sa.select(customer.c.code).where(customer.c.id == customer_id).scalar_subquery()


def ids_in_code_order(conn: Connection) -> bool:
    """Whether the customers' ids run in the order of their codes (as when they were imported
    sorted): the rows can then be sorted by customer id."""
    prev = sa.func.lag(customer.c.code).over(order_by=customer.c.id).label("prev")
    pairs = sa.select(customer.c.code, prev).subquery()
    later = sa.select(sa.literal(1)).where(pairs.c.prev >= pairs.c.code).limit(1)
    return sa_of(conn).execute(later).first() is None


def _rule_index(plan: JsonPlan, contract: Any, code: Any) -> Any:
    """Which of the plan's rules a row takes (the contract's, the customer's, the default)."""
    if not plan.contracts and not plan.customers:
        return sa.literal(0)
    by_code: Any = sa.literal(0)
    if plan.customers:
        by_code = sa.case(plan.customers, value=code, else_=0)
    if not plan.contracts:
        return by_code
    return sa.case(plan.contracts, value=contract, else_=by_code)


def _per_rule(plan: JsonPlan, rule: Any, value: Any) -> Any:
    """``value(r)`` of the row's rule ``r`` (a literal when there is one rule)."""
    values = [value(r) for r in plan.rules]
    if len(set(values)) == 1:
        return sa.literal(values[0])
    return sa.case(dict(enumerate(values)), value=rule)


def _figures(plan: JsonPlan, g: Any, rule: Any, who: Any) -> sa.Select[Any]:
    """``who`` (the customer's code or id), number, currency, contract, due date, disputed,
    principal, ``open``, ``days``, ``fen`` (the interest), ``ok`` (within the whole-number
    limits) and ``rule`` (its index), as :func:`huikuan.core.interest.accrued_fen` counts."""
    c, grace = g.c, sa.bindparam("g", type_=sa.Integer())
    span = c.age - grace
    n = c.principal * span - (c.age * c.late - c.held)  # balance-days (分 × days)
    p, q = _per_rule(plan, rule, lambda r: r.p), _per_rule(plan, rule, lambda r: r.q)
    fen = _rounded(n, p, q)
    if any(r.cap for r in plan.rules):
        cp = _per_rule(plan, rule, lambda r: r.cap[0] if r.cap else None)
        cq = _per_rule(plan, rule, lambda r: r.cap[1] if r.cap else None)
        fen = sa.case((cp.is_(None), fen), else_=least(fen, _rounded(c.principal, cp, cq)))
    limit = _per_rule(plan, rule, lambda r: r.limit)
    # (a principal below BIG is below every rule's cap_limit too: they are >= MIN_EXACT)
    ok = sa.and_(c.principal < BIG, c.late < BIG, c.late > -BIG, n < limit, n > -limit)
    left = c.principal - c.late
    days = sa.case((left > 0, span), else_=greatest(0, c.last_age - grace - 1))
    return sa.select(
        who, c.number, c.currency, c.contract, c.due_date, c.disputed, c.principal,
        _whole(greatest(left, 0)).label("open"), _whole(days).label("days"),
        _whole(fen).label("fen"),
        sa.case((ok, 1), else_=0).label("ok"), rule.label("rule"),
    )  # fmt: skip


def _whole(value: Any) -> Any:
    """``value`` typed as a whole number (so ``//`` is SQL's integer division)."""
    return sa.type_coerce(value, sa.BigInteger())


def _rounded(n: Any, p: Any, q: Any) -> Any:
    """``n × p / q`` rounded half-up (away from zero at .5), in whole numbers."""
    up = (2 * n * p + q) // (2 * q)  # (whole numbers: SQL's integer division)
    down = -((2 * -n * p + q) // (2 * q))
    return sa.case((n >= 0, up), else_=down)


ROW = (
    '{"customer": %s, "number": %s, "currency": %s, "contract": %s, "due_date": "%s", '
    '"principal": "%d.%02d", "open": "%d.%02d", "days": %d, "rate": %s, '
    '"interest": "%s%d.%02d", "disputed": %s}'
)  # the keys of huikuan.core.interest.ROW_KEYS, as json.dumps writes them


def _text(plan: JsonPlan, k: Any, code: Any) -> Any:
    """The row's JSON text (open and principal are never negative; the interest may be)."""
    contract = sa.case((k.contract.is_(None), "null"), else_=json_quote(k.contract))
    fen = _whole(sa.func.abs(k.fen))
    return sprintf(
        sa.literal(ROW), json_quote(code), json_quote(k.number), json_quote(k.currency),
        contract, k.due_date, k.principal // 100, k.principal % 100, k.open // 100, k.open % 100,
        k.days, _per_rule(plan, k.rule, lambda r: r.text), sa.case((k.fen < 0, "-"), else_=""), fen // 100, fen % 100,
        sa.case((k.disputed == sa.true(), "true"), else_="false"),
    )  # fmt: skip


# --- running it -------------------------------------------------------------------------------


def json_rows(
    conn: Connection,
    plan: JsonPlan,
    as_of: date,
    code: str | None,
    include_paid: bool,
    sums: Sums,
    codes: Codes = None,
) -> Iterator[str | InvoiceInterest]:
    """The rows, a batch of JSON texts at a time (joined by the list separator); a row beyond
    the whole-number limits as an :class:`InvoiceInterest` (from the general path). The
    open amount and interest of the text rows are added to ``sums``."""
    for batch in json_batches(conn, plan, as_of, code, include_paid, codes):
        texts, currencies, opened, owed, numbers = zip(*batch, strict=True)
        if numbers.count(None) < len(numbers):
            yield from _with_others(conn, plan, as_of, include_paid, batch, sums)
            continue
        add_sums(sums, currencies, opened, owed)
        yield SEPARATOR.join(texts)


def json_batches(
    conn: Connection, plan: JsonPlan, as_of: date, code: str | None, include_paid: bool,
    codes: Codes,
) -> Iterator[list[tuple[Any, ...]]]:  # fmt: skip
    """The raw rows of :func:`json_statement`, a fetch at a time."""
    from huikuan.store.direct import compiled

    by_id = code is not None or ids_in_code_order(conn)  # (one customer: one id)
    db = sa_of(conn)
    stmt = json_statement(plan, code, include_paid, codes, by_id=by_id)
    sql, params = compiled(db, stmt, _params(plan, as_of))
    cursor = db.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(FETCH):
            yield batch
    finally:
        cursor.close()


def _params(plan: JsonPlan, as_of: date) -> dict[str, Any]:
    return {"d": as_of, "g": plan.grace, "cut": as_of - timedelta(days=plan.grace)}


def add_sums(sums: Sums, currencies: Any, opened: Any, owed: Any) -> None:
    """The batch's open amounts and interest added to ``sums``, per currency."""
    if len(set(currencies)) == 1:
        total = sums.setdefault(currencies[0], [0, 0])
        total[0] += sum(opened)
        total[1] += sum(owed)
        return
    for cur, o, f in zip(currencies, opened, owed, strict=True):
        total = sums.setdefault(cur, [0, 0])
        total[0] += o
        total[1] += f


def _with_others(
    conn: Connection, plan: JsonPlan, as_of: date, include_paid: bool,
    batch: list[tuple[Any, ...]], sums: Sums,
) -> Iterator[str | InvoiceInterest]:  # fmt: skip
    """A batch holding rows beyond the limits: the text rows around them as text, those from
    the general path."""
    texts: list[str] = []
    for text, cur, opened, owed, number in batch:
        if number is None:
            texts.append(text)
            add_sums(sums, (cur,), (opened,), (owed,))
            continue
        if texts:
            yield SEPARATOR.join(texts)
            texts = []
        yield from one_invoice(conn, plan.policy, as_of, number, include_paid, plan.grace)
    if texts:
        yield SEPARATOR.join(texts)
