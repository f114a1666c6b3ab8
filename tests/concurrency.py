"""Run test code in two threads at once, each with its own database connection."""

import threading
from collections.abc import Callable

from django.db import connections


def run_in_two_workers(work: Callable[[], object]) -> list[object]:
    """Run ``work`` in two threads released together; return their results."""
    barrier = threading.Barrier(2)
    results: list[object] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(work())
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results
