"""Errors that stop an inbound message from becoming a ticket or message."""


class UnusableMessage(Exception):
    """The message itself cannot be used; it is quarantined with ``code``.

    This is the sender's problem, not ours: it is logged at info level, and
    reprocessing it without a code change gives the same result.
    """

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
