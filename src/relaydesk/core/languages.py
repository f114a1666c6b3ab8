"""The languages relaydesk speaks, by code and name."""

from django.conf import settings


def language_name(code: str) -> str:
    """Return the translated name of a configured language code, or the code itself."""
    return str(dict(settings.LANGUAGES).get(code, code))
