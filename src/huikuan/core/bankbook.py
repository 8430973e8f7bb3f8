"""Matching bank lines against open invoices read on demand (pure: a :class:`Book` answers).

:class:`~huikuan.core.bankmatch.Matcher` holds every open invoice of the customers it
matches; on a ledger of a million invoices that is most of the time and memory of an import.
:class:`BookMatcher` decides exactly as it does (same rules, same order, same open amounts
shared between the lines of one statement) but asks only what a line needs: the open invoices
its memo names, the customer's open balance, the open invoices of exactly its amount, and the
customer's whole queue only when a payment is allocated by the ledger's rule. What this
statement's earlier lines allocated is kept here and laid over the book's answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from huikuan.core.bankmatch import (
    Key,
    LineFacts,
    Matcher,
    OpenInvoice,
    Pick,
    Verdict,
    memo_tokens,
    verdict,
)


class Book(Protocol):
    """The open invoices as they were before the statement (open amount > 0, by
    (customer, currency) key; lists in the ledger's order: due date, issue date, number)."""

    def total(self, key: Key) -> int:
        """The key's open balance."""

    def equal(self, key: Key, amount: int) -> Sequence[OpenInvoice]:
        """The key's open invoices whose open amount is ``amount``."""

    def numbered(self, key: Key, number: str) -> Sequence[OpenInvoice]:
        """The key's open invoices whose case-folded number is ``number``."""

    def contracted(self, key: Key) -> Sequence[OpenInvoice]:
        """The key's open invoices whose contract some memo of the statement names."""

    def queue(self, key: Key) -> Sequence[OpenInvoice]:
        """Every open invoice of the key."""


@dataclass
class BookMatcher(Matcher):
    """A :class:`Matcher` over a :class:`Book`: ``left`` holds the open amounts of the
    invoices this statement allocated to, ``known`` the invoices the last line chose."""

    book: Book | None = None
    known: dict[int, OpenInvoice] = field(default_factory=dict)
    spent: dict[Key, int] = field(default_factory=dict)  # allocated so far, by key
    touched: dict[Key, dict[int, OpenInvoice]] = field(default_factory=dict)  # allocated to

    def decide(self, line: LineFacts) -> tuple[Verdict, list[tuple[int, int]], int]:
        """As :meth:`Matcher.decide`."""
        return self.decide_for(line, self.customer_of(line))

    def decide_for(
        self,
        line: LineFacts,
        customer: tuple[int, str] | None,
        tokens: Sequence[str] | None = None,
    ) -> tuple[Verdict, list[tuple[int, int]], int]:
        """:meth:`decide`, the line's :meth:`customer_of` being ``customer`` (``tokens``: its
        memo's :func:`memo_tokens`, when the caller has them)."""
        self.known.clear()
        if customer is None:
            return Verdict(None), [], line.amount
        if line.serial and (customer[0], line.serial) in self.references:
            return Verdict(customer[0], (), "a payment with this reference exists"), [], line.amount
        key = (customer[0], line.currency)
        if tokens is None:
            tokens = memo_tokens(line.memo)
        found = verdict(customer, self.pick(key, line.amount, tokens))
        if found.score < self.threshold:
            return found, [], line.amount
        if line.serial:
            self.references.add((customer[0], line.serial))
        return (found, *self.allocate(key, line.amount, found.named))

    def number(self, invoice: int) -> str:
        """The number of an invoice the last line chose."""
        return self.known[invoice].number

    def pick(self, key: Key, amount: int, tokens: Sequence[str]) -> Pick:
        """As :func:`~huikuan.core.bankmatch.pick_invoices` over the key's open invoices."""
        if tokens:
            found = self._named(key, tokens)
            if found is not None:
                return found
        total = self._book().total(key) - self.spent.get(key, 0)
        if total <= 0:
            return Pick((), "no open invoice")
        equal = self._equal(key, amount)
        if len(equal) == 1:
            return Pick((equal[0],), "amount equals an open invoice")
        return Pick((), "amount equals the open balance" if total == amount else "allocation rule")

    def _named(self, key: Key, tokens: Sequence[str]) -> Pick | None:
        """The open invoices the memo names by number, else by contract (None: neither)."""
        book = self._book()
        by_number = [i for t in tokens for i in book.numbered(key, t.casefold())]
        hits = self._seen([i for i in by_number if self._open(i) > 0])
        if hits:
            return Pick(tuple(dict.fromkeys(i.id for i in hits)), "invoice in memo")
        wanted = {t.casefold() for t in tokens}
        hits = self._seen(
            [
                i
                for i in book.contracted(key)
                if (i.contract or "").casefold() in wanted and self._open(i) > 0
            ]
        )
        return Pick(tuple(i.id for i in hits), "contract in memo") if hits else None

    def _equal(self, key: Key, amount: int) -> list[int]:
        """The key's invoices open for exactly ``amount`` now: as the book says for those
        this statement did not touch, as ``left`` says for the others."""
        moved = self.touched.get(key, {})
        same = [i for i in self._book().equal(key, amount) if i.id not in moved]
        same += [i for i in moved.values() if self.left[i.id] == amount]
        return [i.id for i in self._seen(same)]

    def allocate(
        self, key: Key, amount: int, named: Sequence[int]
    ) -> tuple[list[tuple[int, int]], int]:
        """As :func:`~huikuan.core.bankmatch.allocate_one`: the named invoices first, then
        the key's queue oldest first (read only when something is left to allocate)."""
        parts: list[tuple[int, int]] = []
        rest = amount
        for inv in named:
            rest = self._take(key, self.known[inv], rest, parts)
            if rest == 0:
                return parts, 0
        for item in self._book().queue(key):
            if item.id not in named:
                rest = self._take(key, item, rest, parts)
                if rest == 0:
                    break
        return parts, rest

    def _take(self, key: Key, inv: OpenInvoice, rest: int, parts: list[tuple[int, int]]) -> int:
        """Allocate what ``inv`` still has open (up to ``rest``); return what stays."""
        current = self._open(inv)
        if current <= 0:
            return rest
        take = min(rest, current)
        self.known[inv.id] = inv
        parts.append((inv.id, take))
        self.left[inv.id] = current - take
        self.spent[key] = self.spent.get(key, 0) + take
        self.touched.setdefault(key, {})[inv.id] = inv
        return rest - take

    def _open(self, inv: OpenInvoice) -> int:
        return self.left.get(inv.id, inv.open)

    def _seen(self, invoices: Sequence[OpenInvoice]) -> Sequence[OpenInvoice]:
        """``invoices``, remembered in :attr:`known` (their numbers name the decision, and
        allocating to them starts from their open amounts)."""
        for inv in invoices:
            self.known.setdefault(inv.id, inv)
        return invoices

    def _book(self) -> Book:
        if self.book is None:
            raise ValueError("BookMatcher: no book")
        return self.book
