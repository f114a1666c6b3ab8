"""A log formatter that shows the ids passed through ``extra=``.

relaydesk logs short stable messages and puts the ids in ``extra``; the stock
formatter would drop them, so this one appends them as ``key=value`` pairs.
"""

import logging

# Attributes every LogRecord has; anything else on a record came from ``extra``.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        pairs = [
            f"{key}={value}"
            for key, value in vars(record).items()
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_")
        ]
        if not pairs:
            return line
        head, newline, tail = line.partition("\n")
        return f"{head} {' '.join(pairs)}{newline}{tail}"
