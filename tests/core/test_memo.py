"""Values computed once per scope, and every time outside one."""

from relaydesk.core import memo


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls


def test_outside_a_scope_every_call_computes():
    compute = Counter()
    assert [memo.cached("key", compute) for _ in range(3)] == [1, 2, 3]


def test_inside_a_scope_each_key_computes_once():
    first, second = Counter(), Counter()
    with memo.scope():
        assert memo.cached("a", first) == 1
        assert memo.cached("a", first) == 1
        assert memo.cached("b", second) == 1
    assert (first.calls, second.calls) == (1, 1)


def test_nested_scope_shares_outer_values():
    compute = Counter()
    with memo.scope():
        memo.cached("key", compute)
        with memo.scope():
            assert memo.cached("key", compute) == 1
        assert memo.cached("key", compute) == 1
    assert compute.calls == 1


def test_values_are_forgotten_when_the_scope_ends():
    compute = Counter()
    with memo.scope():
        memo.cached("key", compute)
    with memo.scope():
        assert memo.cached("key", compute) == 2


def test_failed_computation_not_kept():
    calls = []

    def failing() -> int:
        calls.append(1)
        raise ValueError("no value")

    with memo.scope():
        for _ in range(2):
            try:
                memo.cached("key", failing)
            except ValueError:
                pass
    assert len(calls) == 2


def test_active_only_inside_a_scope():
    assert not memo.active()
    with memo.scope():
        assert memo.active()
    assert not memo.active()


def test_held_rows_until_forgotten():
    with memo.scope():
        memo.held("clocks")["ticket-1"] = ["row"]
        memo.cached("policy", lambda: "kept")
        assert memo.held("clocks") == {"ticket-1": ["row"]}
        memo.forget_held()
        assert memo.held("clocks") == {}
        assert memo.cached("policy", lambda: "read again") == "kept"


def test_held_outside_scope_is_empty():
    memo.held("clocks")["ticket-1"] = ["row"]
    assert memo.held("clocks") == {}


class Clock:
    """Stands in for memo's monotonic clock."""

    def __init__(self, monkeypatch) -> None:
        self.seconds = 1000.0
        monkeypatch.setattr(memo, "_now", lambda: self.seconds)


def test_settled_outside_lasting_is_cached():
    compute = Counter()
    assert [memo.settled("plan", compute) for _ in range(2)] == [1, 2]
    with memo.scope():
        assert [memo.settled("plan", compute) for _ in range(2)] == [3, 3]


def test_settled_kept_across_scopes(monkeypatch):
    Clock(monkeypatch)
    compute = Counter()
    with memo.lasting(10):
        for _ in range(3):
            with memo.scope():
                assert memo.settled("plan", compute) == 1
        # Also between scopes.
        assert memo.settled("plan", compute) == 1
    with memo.scope():
        assert memo.settled("plan", compute) == 2


def test_settled_read_again_after_max_age(monkeypatch):
    clock = Clock(monkeypatch)
    compute = Counter()
    with memo.lasting(10):
        with memo.scope():
            assert memo.settled("plan", compute) == 1
            clock.seconds += 11
            # One scope keeps one value, however long it runs.
            assert memo.settled("plan", compute) == 1
        with memo.scope():
            assert memo.settled("plan", compute) == 2
        clock.seconds += 9
        with memo.scope():
            assert memo.settled("plan", compute) == 2


def test_nested_lasting_shares_outer_values(monkeypatch):
    Clock(monkeypatch)
    compute = Counter()
    with memo.lasting(10):
        assert memo.settled("plan", compute) == 1
        with memo.lasting(0):
            assert memo.settled("plan", compute) == 1
