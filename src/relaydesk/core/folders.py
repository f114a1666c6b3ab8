"""Check at start-up that a configured folder can hold relaydesk's files."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def check_folder(variable: str, path: Path, *, create: bool = False) -> Path:
    """Return ``path`` if it is, or can become, a folder that this user may write to.

    With ``create`` the folder is made now. Raises ImproperlyConfigured naming
    ``variable``, the path and the fix when the path is a file, lies under a
    file, cannot be created or is not writable. Start-up then stops before a
    write fails later, for example on every outgoing message.
    """
    setting = f"{variable}={str(path)!r}"
    fix = "point it at a folder that relaydesk may create and write to"
    if os.path.lexists(path) and not os.path.isdir(path):
        raise ImproperlyConfigured(f"{setting} is a file, not a folder: {fix}.")
    existing = _nearest_existing(path)
    if not os.path.isdir(existing):
        raise ImproperlyConfigured(
            f"{setting} cannot be a folder, because {str(existing)!r} is a file: {fix}."
        )
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ImproperlyConfigured(
                f"{setting} could not be created ({error.strerror}): {fix}."
            ) from None
        existing = path
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ImproperlyConfigured(
            f"{setting} is not writable, because this user may not write to "
            f"{str(existing)!r}: {fix}, or give this user write access."
        )
    return path


def _nearest_existing(path: Path) -> Path:
    """Return ``path`` or its nearest parent that exists."""
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path(path.anchor or ".")
