"""Find and stream the messages of .eml files, directories, mbox files and Maildirs.

Everything is read one message at a time so memory stays flat however large
the corpus: a directory is walked lazily, an mbox file is split while it is
read, and a Maildir's files are read one by one.
"""

import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# A header line as mail software writes it: a field name of letters, digits
# and hyphens, then a colon. RFC 5322 allows more characters in names, but
# accepting them would take JSON and other text files for mail.
_HEADER_LINE = re.compile(rb"^[A-Za-z0-9][A-Za-z0-9_-]*:")
_MBOXRD_ESCAPE = re.compile(rb"^>+From ")
_SNIFF_BYTES = 4096

logger = logging.getLogger(__name__)


class SourceError(Exception):
    """A path given to the import cannot be read at all."""


@dataclass(frozen=True)
class MailSource:
    """One input to import: a single message file, an mbox file or a Maildir folder."""

    path: Path
    kind: str  # "message", "mbox" or "maildir"
    size: int


def discover(paths: list[Path], skipped: list[Path] | None = None) -> Iterator[MailSource]:
    """Yield the sources under ``paths``; raises SourceError for a missing path.

    A file named on the command line is always imported. Inside a directory
    only files that look like mail (a header line or an mbox "From " line at
    the start) or are named ``*.eml`` are, so README, JSON and attachment
    files beside .eml files are passed over. When ``skipped`` is given, each
    of those is appended to it and logged. A broken .eml file is imported
    and quarantined with its reason.
    """
    for path in paths:
        if not path.exists():
            raise SourceError(f"path not found: {path}")
    for path in paths:
        if path.is_dir():
            yield from _walk_directory(path, skipped)
        else:
            yield _file_source(path)


def read_messages(source: MailSource) -> Iterator[tuple[str, bytes]]:
    """Yield (source reference, raw bytes) for each message of ``source``."""
    if source.kind == "maildir":
        for path in _maildir_files(source.path):
            yield str(path), path.read_bytes()
    elif source.kind == "mbox":
        for index, content in enumerate(_split_mbox(source.path), start=1):
            yield f"{source.path}#{index}", content
    else:
        yield str(source.path), source.path.read_bytes()


def _walk_directory(directory: Path, skipped: list[Path] | None) -> Iterator[MailSource]:
    if _is_maildir(directory):
        yield MailSource(directory, "maildir", _tree_size(directory))
        return
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        root_path = Path(root)
        maildirs = [name for name in dirs if _is_maildir(root_path / name)]
        for name in maildirs:
            yield MailSource(root_path / name, "maildir", _tree_size(root_path / name))
        dirs[:] = [name for name in dirs if name not in maildirs and not name.startswith(".")]
        for name in sorted(files):
            path = root_path / name
            kind = _sniff_in_directory(path)
            if kind is None:
                if skipped is not None:
                    skipped.append(path)
                    logger.warning(
                        "file skipped: it does not look like an e-mail", extra={"path": str(path)}
                    )
                continue
            yield MailSource(path, kind, path.stat().st_size)


def _file_source(path: Path) -> MailSource:
    return MailSource(path, _sniff(path) or "message", path.stat().st_size)


def _sniff_in_directory(path: Path) -> str | None:
    """Return the kind of a file found in a directory, or None to pass it over."""
    kind = _sniff(path)
    if kind is None and path.suffix.lower() == ".eml":
        return "message"
    return kind


def _sniff(path: Path) -> str | None:
    """Return "mbox" or "message" when the file starts like mail, else None."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return None
    first_line = head.lstrip(b"\r\n").split(b"\n", 1)[0]
    if first_line.startswith(b"From "):
        return "mbox"
    if _HEADER_LINE.match(first_line):
        return "message"
    return None


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _maildir_files(directory: Path) -> Iterator[Path]:
    for sub in ("new", "cur"):
        for path in sorted((directory / sub).iterdir()):
            if path.is_file() and not path.name.startswith("."):
                yield path


def _tree_size(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


def _split_mbox(path: Path) -> Iterator[bytes]:
    """Yield each message of an mbox file, with mboxrd ">From " escapes undone."""
    lines: list[bytes] = []
    previous_blank = True
    with path.open("rb") as handle:
        for line in handle:
            if line.startswith(b"From ") and previous_blank:
                if lines:
                    yield _mbox_message(lines)
                lines = []
            else:
                lines.append(line[1:] if _MBOXRD_ESCAPE.match(line) else line)
            previous_blank = line in (b"\n", b"\r\n")
    if lines:
        yield _mbox_message(lines)


def _mbox_message(lines: list[bytes]) -> bytes:
    # The blank line before the next "From " separator belongs to the mbox format.
    if lines and lines[-1] in (b"\n", b"\r\n"):
        lines = lines[:-1]
    return b"".join(lines)
