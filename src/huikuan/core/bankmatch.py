"""Matching bank lines (银行流水) to customers and invoices (DESIGN §10), pure.

A credit line gets a customer by, in this order: its exact name, a learnt alias, the
counterparty's account seen before, its normalised name (full/half width, spaces, brackets,
有限责任公司/股份有限公司 ≡ 有限公司), or the invoice numbers its memo names. Then its invoices:
invoice or contract numbers in the memo, else the one open invoice of exactly its amount, else
the customer's whole open balance, else the ledger's allocation rule. Each step has a score;
a line's score is customer score × invoice score / 100, and the reasons are kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

CUSTOMER_SCORES = {
    "exact name": 100,
    "alias": 95,
    "account": 90,
    "normalised name": 85,
    "invoice in memo": 80,
}
INVOICE_SCORES = {
    "invoice in memo": 100,
    "contract in memo": 95,
    "amount equals an open invoice": 95,
    "amount equals the open balance": 90,
    "allocation rule": 70,
    "no open invoice": 50,
}
DEFAULT_THRESHOLD = 80
_SUFFIXES = (("有限责任公司", "有限公司"), ("股份有限公司", "有限公司"))
_DROP = re.compile(r"[\s()\[\]{}<>〈〉《》【】「」'\"`.,，。、·・:;：；_-]+")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.-]*[A-Za-z0-9]|[A-Za-z0-9]")
_DIGIT = re.compile("[0-9]").search


def normalise_name(name: str) -> str:
    """A company name for comparison: half width, no spaces, brackets or punctuation,
    lower case, 有限责任公司 and 股份有限公司 as 有限公司."""
    text = unicodedata.normalize("NFKC", name).casefold()
    for long, short in _SUFFIXES:
        text = text.replace(long, short)
    return _DROP.sub("", text)


def memo_tokens(memo: str | None) -> list[str]:
    """The words of a memo that could be invoice or contract numbers (half width, in order)."""
    if not memo:
        return []
    seen: dict[str, None] = {}
    for token in _TOKEN.findall(unicodedata.normalize("NFKC", memo)):
        if _DIGIT(token):  # tokens are ASCII: a digit is 0-9
            seen.setdefault(token.strip("./_-"), None)
    return [t for t in seen if t]


@dataclass(frozen=True)
class Directory:
    """What names a customer: exact names, normalised names, learnt name aliases, accounts.

    ``None`` marks a key shared by several customers (ambiguous: not used)."""

    exact: dict[str, int | None] = field(default_factory=dict)
    normalised: dict[str, int | None] = field(default_factory=dict)
    aliases: dict[str, int] = field(default_factory=dict)
    accounts: dict[str, int | None] = field(default_factory=dict)


def make_directory(
    customers: Iterable[tuple[int, str]],
    aliases: Iterable[tuple[str, str, int]],
    seen_accounts: Iterable[tuple[str, int]] = (),
) -> Directory:
    """A directory from ``(id, name)`` customers, ``(kind, value, id)`` aliases and
    ``(account, id)`` pairs of lines matched before (learnt account aliases win)."""
    d = Directory()
    for cid, name in customers:
        _put(d.exact, name.strip(), cid)
        _put(d.normalised, normalise_name(name), cid)
    for account, cid in seen_accounts:
        _put(d.accounts, account, cid)
    for kind, value, cid in aliases:
        if kind == "name":
            d.aliases[value] = cid
        else:
            d.accounts[value] = cid
    return d


def _put(table: dict[str, int | None], key: str, cid: int) -> None:
    if key:
        table[key] = cid if table.get(key, cid) == cid else None


def find_customer(d: Directory, name: str | None, account: str | None) -> tuple[int, str] | None:
    """``(customer id, reason)`` from the counterparty's name or account, or None."""
    name = (name or "").strip()
    norm = normalise_name(name) if name else ""
    for table, key, reason in (
        (d.exact, name, "exact name"),
        (d.aliases, norm, "alias"),
        (d.accounts, (account or "").strip(), "account"),
        (d.normalised, norm, "normalised name"),
    ):
        cid = table.get(key) if key else None
        if cid is not None:
            return cid, reason
    return None


class OpenInvoice(NamedTuple):
    """An open invoice of a customer (oldest first in a customer's list); a named tuple:
    a million of them are made quickly."""

    id: int
    number: str
    currency: str
    open: int
    contract: str | None = None


@dataclass(frozen=True)
class Pick:
    """The invoices chosen for a line: named ones first (in order), then the rule."""

    named: tuple[int, ...]
    reason: str

    @property
    def score(self) -> int:
        return INVOICE_SCORES[self.reason]


def pick_invoices(
    amount: int,
    tokens: Sequence[str],
    invoices: Sequence[OpenInvoice],
    left: dict[int, int] | None = None,
    index: dict[str, list[OpenInvoice]] | None = None,
) -> Pick:
    """Which of the customer's open invoices (one currency, oldest first) a line pays;
    ``left`` holds their open amounts when they changed since they were read (by id);
    ``index`` (optional) maps case-folded invoice numbers to the invoices, for speed."""

    def open_of(inv: OpenInvoice) -> int:
        return left.get(inv.id, inv.open) if left is not None else inv.open

    if tokens and index is not None:
        hits = tuple(
            dict.fromkeys(
                i.id for t in tokens for i in index.get(t.casefold(), ()) if open_of(i) > 0
            )
        )
        if hits:
            return Pick(hits, "invoice in memo")
    if tokens:
        wanted = {t.casefold() for t in tokens}
        for attr, why in (("number", "invoice in memo"), ("contract", "contract in memo")):
            if attr == "number" and index is not None:
                continue
            hits = tuple(
                i.id
                for i in invoices
                if (getattr(i, attr) or "").casefold() in wanted and open_of(i) > 0
            )
            if hits:
                return Pick(hits, why)
    total, equal = 0, []
    for inv in invoices:
        current = open_of(inv)
        total += current
        if current == amount:
            equal.append(inv.id)
    if total <= 0:
        return Pick((), "no open invoice")
    if len(equal) == 1:
        return Pick((equal[0],), "amount equals an open invoice")
    return Pick((), "amount equals the open balance" if total == amount else "allocation rule")


@dataclass(frozen=True)
class Verdict:
    """What matching says of one line: the customer (None: nobody), invoices, why, score."""

    customer: int | None
    named: tuple[int, ...] = ()
    reason: str = "no customer found"
    score: int = 0


def verdict(customer: tuple[int, str] | None, pick: Pick | None) -> Verdict:
    """Combine the customer found and the invoices picked into a verdict."""
    if customer is None:
        return Verdict(None)
    cid, why = customer
    if pick is None:
        return Verdict(cid, (), why, CUSTOMER_SCORES[why])
    score = CUSTOMER_SCORES[why] * pick.score // 100
    return Verdict(cid, pick.named, f"{why}; {pick.reason}", score)


Key = tuple[int, str]  # (customer id, currency)


@dataclass(frozen=True, slots=True)
class LineFacts:
    """What matching reads of a bank line."""

    amount: int
    currency: str
    counterparty: str | None
    account: str | None
    memo: str | None
    serial: str | None = None


@dataclass
class Matcher:
    """Matches lines one after the other over shared open amounts (pure: the caller loads).

    ``owners`` maps invoice numbers found in memos to their customer; ``queues`` holds each
    (customer, currency)'s open invoices oldest first; ``left`` their open amounts, reduced as
    lines at or above ``threshold`` are allocated (so two lines never pay the same 分 twice).
    """

    directory: Directory
    owners: dict[str, int] = field(default_factory=dict)
    queues: dict[Key, list[OpenInvoice]] = field(default_factory=dict)
    threshold: int = DEFAULT_THRESHOLD
    left: dict[int, int] = field(default_factory=dict)
    references: set[tuple[int, str]] = field(default_factory=set)  # (customer, reference) paid
    wanted: set[str] | None = None  # every memo token to come, case-folded (None: unknown)
    _index: dict[Key, dict[str, list[OpenInvoice]]] = field(default_factory=dict)
    _ready: set[Key] = field(default_factory=set)  # queues whose open amounts are in ``left``

    def use(self, queues: dict[Key, list[OpenInvoice]]) -> None:
        """Match against these open invoices from now on (a new batch of customers)."""
        self.queues, self.left, self._index, self._ready = queues, {}, {}, set()

    def customer_of(self, line: LineFacts) -> tuple[int, str] | None:
        """The line's customer and why (name, alias, account), else the memo's invoices'."""
        found = find_customer(self.directory, line.counterparty, line.account)
        if found is not None:
            return found
        owners = {self.owners[t] for t in memo_tokens(line.memo) if t in self.owners}
        return (owners.pop(), "invoice in memo") if len(owners) == 1 else None

    def decide(self, line: LineFacts) -> tuple[Verdict, list[tuple[int, int]], int]:
        """The verdict and, when it is at or above the threshold, the allocations
        ``(invoice id, amount)`` and what stays unapplied (applied to :attr:`left`)."""
        customer = self.customer_of(line)
        if customer is None:
            return Verdict(None), [], line.amount
        if line.serial and (customer[0], line.serial) in self.references:
            return Verdict(customer[0], (), "a payment with this reference exists"), [], line.amount
        key = (customer[0], line.currency)
        queue = self.queues.get(key, [])
        if key not in self._ready:
            self._ready.add(key)
            self.left.update((i.id, i.open) for i in queue)
        tokens = memo_tokens(line.memo)
        if tokens and key not in self._index:
            self._index[key] = by_number(queue, self.wanted)
        pick = pick_invoices(line.amount, tokens, queue, self.left, self._index.get(key))
        found = verdict(customer, pick)
        if found.score < self.threshold:
            return found, [], line.amount
        if line.serial:
            self.references.add((customer[0], line.serial))
        parts, rest = allocate_one(line.amount, found.named, queue, self.left, ready=True)
        return found, parts, rest


def by_number(
    invoices: Sequence[OpenInvoice], wanted: set[str] | None = None
) -> dict[str, list[OpenInvoice]]:
    """The invoices by case-folded number (for :func:`pick_invoices`); only the numbers in
    ``wanted`` (case-folded) when given."""
    out: dict[str, list[OpenInvoice]] = {}
    for inv in invoices:
        key = inv.number.casefold()
        if wanted is None or key in wanted:
            out.setdefault(key, []).append(inv)
    return out


def allocate_one(
    amount: int,
    named: Sequence[int],
    queue: Sequence[OpenInvoice],
    left: dict[int, int],
    *,
    ready: bool = False,
) -> tuple[list[tuple[int, int]], int]:
    """Allocate ``amount`` to the ``named`` invoices in order, then to ``queue`` oldest first
    (DESIGN §3), reducing ``left`` (open amounts by invoice id, the queue's as default);
    returns the allocations ``(invoice id, amount)`` and the rest (unapplied credit)."""
    if not ready:  # ready: the caller has put every queued invoice's open amount in ``left``
        left.update((inv.id, inv.open) for inv in queue if inv.id not in left)
    rest, parts = amount, []
    for inv_id in _targets(named, queue, left):
        take = min(rest, left[inv_id])
        parts.append((inv_id, take))
        left[inv_id] -= take
        rest -= take
        if rest == 0:
            break
    return parts, rest


def _targets(
    named: Sequence[int], queue: Sequence[OpenInvoice], left: dict[int, int]
) -> Iterator[int]:
    for inv in named:
        if left.get(inv, 0) > 0:
            yield inv
    for item in queue:
        if item.id not in named and left[item.id] > 0:
            yield item.id
