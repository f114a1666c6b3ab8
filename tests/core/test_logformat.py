import logging

from relaydesk.core.logformat import KeyValueFormatter


def test_formatter_appends_extra_ids():
    record = logging.makeLogRecord({"msg": "ticket created", "ticket": 12, "channel": "email"})
    line = KeyValueFormatter("%(message)s").format(record)
    assert line == "ticket created ticket=12 channel=email"


def test_formatter_leaves_plain_records_alone():
    record = logging.makeLogRecord({"msg": "worker started"})
    assert KeyValueFormatter("%(message)s").format(record) == "worker started"
