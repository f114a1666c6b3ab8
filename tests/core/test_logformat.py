import logging

from relaydesk.core.logformat import KeyValueFormatter


def test_formatter_appends_extra_ids():
    record = logging.makeLogRecord({"msg": "ticket created", "ticket": 12, "channel": "email"})
    line = KeyValueFormatter("%(message)s").format(record)
    assert line == "ticket created ticket=12 channel=email"


def test_formatter_leaves_plain_records_alone():
    record = logging.makeLogRecord({"msg": "worker started"})
    assert KeyValueFormatter("%(message)s").format(record) == "worker started"


def test_task_worker_lines_use_the_desk_format():
    # The worker adds a bare handler (no time, no level) only to a logger without one.
    for name in ("django_tasks", "django_tasks_db"):
        handlers = logging.getLogger(name).handlers
        # pytest adds its own capture handlers beside the configured one.
        assert any(isinstance(handler.formatter, KeyValueFormatter) for handler in handlers), name
