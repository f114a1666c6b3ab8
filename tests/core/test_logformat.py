import logging

from django.core.exceptions import DisallowedHost

from relaydesk.core.logformat import DisallowedHostFilter, KeyValueFormatter


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


def test_unknown_host_is_one_warning_naming_relaydesk_setting():
    try:
        raise DisallowedHost("Invalid HTTP_HOST header: 'evil.example'. Add it to ALLOWED_HOSTS.")
    except DisallowedHost as error:
        record = logging.makeLogRecord(
            {"msg": str(error), "levelno": logging.ERROR, "levelname": "ERROR"}
        )
        record.exc_info = (type(error), error, error.__traceback__)
    assert DisallowedHostFilter().filter(record) is True
    line = KeyValueFormatter("%(levelname)s %(message)s").format(record)
    assert line == (
        "WARNING Invalid HTTP_HOST header: 'evil.example'. Add it to RELAYDESK_ALLOWED_HOSTS."
    )


def test_unknown_host_logger_uses_the_filter():
    filters = logging.getLogger("django.security.DisallowedHost").filters
    assert any(isinstance(item, DisallowedHostFilter) for item in filters)
