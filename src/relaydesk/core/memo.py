"""Values computed once per unit of work, such as one batch of an import.

Some reads repeat for every message of a batch and return the same value each
time: the SLA policy and business calendar of a plan and priority, for one.
Code that runs such a unit of work opens a ``scope()``; inside it ``cached``
computes each key once. Outside any scope ``cached`` computes every time, so a
web request or a task always reads an admin's latest edit.

Keep scopes short (one transaction at most) and cache only values that the
unit of work itself does not change.

``settled`` is for values that only an administrator's edit changes (an
organization's plan, an SLA policy and its calendar). Inside a
``lasting()`` block, such as a whole import run, each is kept across the
scopes inside it for up to the block's maximum age, so an edit reaches a
running import within that time. Inside one scope it stays the same.

``held`` is the exception: a dictionary, one per scope and name, for rows the
unit of work has written or locked in its transaction, so it can use them
again without reading them back. No other transaction can change such rows
before this one ends. When the unit of work rolls back to a savepoint,
``forget_held`` empties them all, because they may hold changes the database
no longer has.
"""

import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")

_store: ContextVar[dict[Hashable, object] | None] = ContextVar("memo_store", default=None)


@dataclass
class _Lasting:
    max_age: float
    # Per key: when the value was computed (_now()) and the value.
    values: dict[Hashable, tuple[float, object]] = field(default_factory=dict)


_lasting: ContextVar[_Lasting | None] = ContextVar("memo_lasting", default=None)


def _now() -> float:
    return time.monotonic()


@contextmanager
def scope() -> Iterator[None]:
    """Cache ``cached`` values until the block ends; an inner scope shares the outer one."""
    if _store.get() is not None:
        yield
        return
    token = _store.set({})
    try:
        yield
    finally:
        _store.reset(token)


def active() -> bool:
    """Return whether a scope is open, so values may be kept for its length."""
    return _store.get() is not None


def held(name: str) -> dict[Hashable, object]:
    """Return the scope's dictionary ``name`` of held rows; outside a scope, a new empty one."""
    return cached(("memo.held", name), dict)


def forget_held() -> None:
    """Empty every ``held`` dictionary of the open scope, after a rollback to a savepoint."""
    store = _store.get()
    if store is None:
        return
    for key, value in store.items():
        if isinstance(key, tuple) and key[:1] == ("memo.held",):
            value.clear()  # type: ignore[attr-defined]


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """Return ``compute()``, computed once per ``key`` inside a scope and every time outside."""
    store = _store.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]  # type: ignore[return-value]


@contextmanager
def lasting(max_age: float) -> Iterator[None]:
    """Keep ``settled`` values across scopes until the block ends, each up to ``max_age`` seconds.

    An inner block shares the outer one.
    """
    if _lasting.get() is not None:
        yield
        return
    token = _lasting.set(_Lasting(max_age))
    try:
        yield
    finally:
        _lasting.reset(token)


def settled(key: Hashable, compute: Callable[[], T]) -> T:
    """Return ``compute()`` for a value that only an administrator's edit changes.

    Like ``cached``, and inside ``lasting()`` also kept across scopes for
    up to its maximum age.
    """
    store = _lasting.get()
    if store is None:
        return cached(key, compute)

    def recent() -> T:
        now = _now()
        entry = store.values.get(key)
        if entry is None or now - entry[0] > store.max_age:
            entry = (now, compute())
            store.values[key] = entry
        return entry[1]  # type: ignore[return-value]

    return cached(key, recent)
