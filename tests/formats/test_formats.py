from datetime import datetime

from django.utils import formats, translation

FIFTH_OF_DECEMBER = datetime(2026, 12, 5, 14, 33)


def test_english_short_datetime_day_first():
    with translation.override("en"):
        text = formats.date_format(FIFTH_OF_DECEMBER, "SHORT_DATETIME_FORMAT")
    assert text == "5 Dec 2026, 14:33"


def test_english_date_names_the_month():
    with translation.override("en"):
        assert formats.date_format(FIFTH_OF_DECEMBER, "DATE_FORMAT") == "5 December 2026"


def test_portuguese_keeps_its_own_formats():
    with translation.override("pt-pt"):
        text = formats.date_format(FIFTH_OF_DECEMBER, "SHORT_DATETIME_FORMAT")
    assert text == "05/12/2026 14:33"
