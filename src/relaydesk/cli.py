"""The ``relaydesk`` console script: Django's manage.py for the installed product."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relaydesk.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A configuration mistake is the operator's to fix: show the message,
        # which names the setting and the fix, without a traceback.
        sys.stderr.write(f"relaydesk: configuration error: {error}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
