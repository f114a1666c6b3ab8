"""Helper run by the peer's own virtual environment against its generated project.

``setup MAIL_DIR`` creates one django-helpdesk Queue that reads ``.eml`` files
from ``MAIL_DIR`` (``email_box_type="local"``); ``count`` prints the number of
tickets, follow-ups and attachments as JSON. DJANGO_SETTINGS_MODULE and
PYTHONPATH must point at the project that ``peer.py`` wrote.
"""

import json
import sys

import django


def setup(mail_dir: str) -> None:
    from helpdesk.models import Queue

    Queue.objects.create(
        title="Support",
        slug="support",
        email_address="support@relaydesk.example",
        allow_email_submission=True,
        email_box_type="local",
        email_box_local_dir=mail_dir,
        logging_type="none",
    )


def count() -> None:
    from helpdesk.models import FollowUp, FollowUpAttachment, Ticket

    counts = {
        "tickets": Ticket.objects.count(),
        "followups": FollowUp.objects.count(),
        "attachments": FollowUpAttachment.objects.count(),
    }
    print(json.dumps(counts))


def main() -> None:
    django.setup()
    command = sys.argv[1]
    if command == "setup":
        setup(sys.argv[2])
    elif command == "count":
        count()
    else:
        raise SystemExit(f"unknown command {command!r}: use 'setup MAIL_DIR' or 'count'")


if __name__ == "__main__":
    main()
