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


class DisallowedHostFilter(logging.Filter):
    """Log a request for an unknown host as one warning line, naming relaydesk's setting.

    Django logs each such request as an error with a traceback, and its
    message names ALLOWED_HOSTS, which relaydesk reads from
    RELAYDESK_ALLOWED_HOSTS. A scanner probing the server can send many.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg = str(record.msg).replace("ALLOWED_HOSTS", "RELAYDESK_ALLOWED_HOSTS")
        return True
