"""Weekday and month names, listed so that relaydesk's catalogue carries them.

Current Portuguese spelling writes weekdays and months in lower case
("segunda-feira, 7 de dezembro"), but Django's Portuguese catalogue
capitalises them. Django reads the catalogues in LOCALE_PATHS before its
own, so these entries of relaydesk's pt-PT catalogue win everywhere a date
is formatted: the desk, the administration pages and e-mail to clients.
Nothing imports this module; makemessages reads it.
"""

from django.utils.translation import gettext_noop

WEEKDAYS = (
    gettext_noop("Monday"),
    gettext_noop("Tuesday"),
    gettext_noop("Wednesday"),
    gettext_noop("Thursday"),
    gettext_noop("Friday"),
    gettext_noop("Saturday"),
    gettext_noop("Sunday"),
)

MONTHS = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)
