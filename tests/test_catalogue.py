"""The pt-PT catalogue: complete, free of fuzzy entries and in step with the source.

These tests run GNU gettext (``msgattrib``, ``msgfmt``, and ``xgettext`` through
``makemessages``) and skip when it is not installed (Debian package ``gettext``).
"""

import ast
import gettext
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

import relaydesk

PACKAGE = Path(relaydesk.__file__).parent
CATALOGUE = Path("locale") / "pt_PT" / "LC_MESSAGES" / "django.po"
HOW_TO_FIX = (
    "Run `cd src/relaydesk && ../../.venv/bin/relaydesk makemessages -l pt_PT --no-obsolete`, "
    "translate every listed entry in src/relaydesk/locale/pt_PT/LC_MESSAGES/django.po "
    "(and delete the `fuzzy` flag of each entry you checked), then run "
    "`../../.venv/bin/relaydesk compilemessages`."
)


@pytest.fixture(autouse=True)
def _gettext_tools() -> None:
    for tool in ("msgattrib", "msgfmt", "xgettext"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not found: install GNU gettext (Debian package gettext)")


def msgids(po_text: str) -> list[str]:
    """Return the msgid of every entry in ``po_text``, without the header entry."""
    found: list[str] = []
    current: list[str] | None = None
    for line in [*po_text.splitlines(), ""]:
        if line.startswith("msgid "):
            current = [ast.literal_eval(line[len("msgid ") :])]
        elif current is not None and line.startswith('"'):
            current.append(ast.literal_eval(line))
        elif current is not None:
            if "".join(current):
                found.append("".join(current))
            current = None
    return found


def entries_with(po_file: Path, option: str) -> list[str]:
    """Return the msgids that ``msgattrib <option>`` selects from ``po_file``."""
    result = subprocess.run(
        ["msgattrib", option, "--no-obsolete", "--no-wrap", str(po_file)],
        capture_output=True,
        text=True,
        check=True,
    )
    return msgids(result.stdout)


def problem(kind: str, entries: list[str]) -> str:
    listed = "\n".join(f"  - {entry!r}" for entry in entries)
    return f"The pt-PT catalogue has {kind} ({len(entries)}):\n{listed}\n{HOW_TO_FIX}"


def test_msgids_reads_wrapped_entries():
    po_text = (
        'msgid ""\nmsgstr "Language: pt_PT\\n"\n\n'
        '#, python-format\nmsgid ""\n"Hello "\n"%(name)s,"\nmsgstr ""\n\n'
        'msgid "Say \\"hi\\""\nmsgstr ""\n'
    )
    assert msgids(po_text) == ["Hello %(name)s,", 'Say "hi"']


def test_catalogue_has_no_untranslated_entries():
    untranslated = entries_with(PACKAGE / CATALOGUE, "--untranslated")
    assert untranslated == [], problem("untranslated entries", untranslated)


def test_catalogue_has_no_fuzzy_entries():
    fuzzy = entries_with(PACKAGE / CATALOGUE, "--only-fuzzy")
    assert fuzzy == [], problem("fuzzy entries", fuzzy)


def test_catalogue_placeholders_match():
    # --check-format compares the placeholders of every python-format entry
    # with its msgid, so a dropped %(name)s fails here, not in an e-mail.
    result = subprocess.run(
        ["msgfmt", "--check", "--output-file", "/dev/null", str(PACKAGE / CATALOGUE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"msgfmt --check failed:\n{result.stderr}"


def test_catalogue_covers_every_source_string(tmp_path, settings, monkeypatch):
    """Regenerate a copy of the catalogue from the source; nothing may come out untranslated.

    This catches a string added to the code or a template without running
    makemessages, which the checks on the committed file cannot see.
    """
    copy = tmp_path / "relaydesk"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "var"))
    catalogue_before = hashlib.sha256((PACKAGE / CATALOGUE).read_bytes()).hexdigest()
    # makemessages writes to the first LOCALE_PATHS entry that holds a source
    # file's folder, so pointing it at the copy keeps the real catalogue as it is.
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)

    call_command("makemessages", locale=["pt_PT"], no_obsolete=True, verbosity=0)

    assert hashlib.sha256((PACKAGE / CATALOGUE).read_bytes()).hexdigest() == catalogue_before
    untranslated = entries_with(copy / CATALOGUE, "--untranslated")
    assert untranslated == [], problem("source strings missing or untranslated", untranslated)
    fuzzy = entries_with(copy / CATALOGUE, "--only-fuzzy")
    assert fuzzy == [], problem("source strings only matched fuzzily", fuzzy)


def test_compiled_catalogue_matches_the_source(tmp_path):
    # The compiled catalogue is committed, so `pip install .` ships it and the
    # product speaks Portuguese without GNU gettext on the server.
    source = PACKAGE / CATALOGUE
    committed = source.with_suffix(".mo")
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(source)], check=True)
    assert committed.is_file(), f"{committed} is missing: run `make messages` and commit it."
    with fresh.open("rb") as expected, committed.open("rb") as found:
        compiled = gettext.GNUTranslations(expected)._catalog
        shipped = gettext.GNUTranslations(found)._catalog
    assert shipped == compiled, f"{committed} differs from django.po: run `make messages`."
