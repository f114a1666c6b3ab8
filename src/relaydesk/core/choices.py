"""Choices (statuses, priorities) named in messages for people."""

from collections.abc import Collection

from django.db import models


def quoted_labels(choices: type[models.TextChoices], values: Collection[str]) -> str:
    """Return the labels of ``values`` in quotes, in the order of ``choices``: "“New”, “Open”"."""
    return ", ".join(f"“{choice.label}”" for choice in choices if choice.value in values)
