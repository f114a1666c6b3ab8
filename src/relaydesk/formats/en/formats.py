"""English dates with the day first and the month by name, and a 24-hour clock.

Django's "en" formats are American ("12/05/2026 10:33 a.m." for 5 December),
which readers outside the United States take for 12 May. "5 Dec 2026, 10:33"
reads one way only.
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday
