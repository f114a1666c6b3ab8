"""European Portuguese formats where Django's "pt" ones follow Brazil.

Everything not set here comes from Django's "pt" module.
"""

FIRST_DAY_OF_WEEK = 1  # Monday, as calendars in Portugal start the week
