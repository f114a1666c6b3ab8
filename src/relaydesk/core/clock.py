"""The one place relaydesk reads the current time, so tests can freeze it."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

_frozen: datetime | None = None


def now() -> datetime:
    """Return the current aware time, or the frozen time inside ``frozen_at``."""
    return _frozen if _frozen is not None else timezone.now()


@contextmanager
def frozen_at(instant: datetime) -> Iterator[None]:
    """Make ``now()`` return ``instant`` inside the block (tests only)."""
    global _frozen
    if timezone.is_naive(instant):
        raise ValueError("frozen_at needs an aware datetime")
    previous, _frozen = _frozen, instant
    try:
        yield
    finally:
        _frozen = previous
