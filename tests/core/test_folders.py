"""The start-up check of the folders that relaydesk writes to."""

import os
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from relaydesk.core.folders import check_folder


def test_check_folder_accepts_existing_folder(tmp_path):
    assert check_folder("RELAYDESK_OUTBOX_DIR", tmp_path) == tmp_path


def test_check_folder_leaves_missing_folder_uncreated(tmp_path):
    check_folder("RELAYDESK_OUTBOX_DIR", tmp_path / "outbox")
    assert not (tmp_path / "outbox").exists()


def test_check_folder_creates_folder_on_request(tmp_path):
    check_folder("RELAYDESK_DATA_DIR", tmp_path / "var" / "desk", create=True)
    assert (tmp_path / "var" / "desk").is_dir()


def test_check_folder_rejects_file(tmp_path):
    path = tmp_path / "outbox"
    path.write_text("")
    with pytest.raises(ImproperlyConfigured) as raised:
        check_folder("RELAYDESK_OUTBOX_DIR", path)
    assert str(raised.value) == (
        f"RELAYDESK_OUTBOX_DIR={str(path)!r} is a file, not a folder: "
        "point it at a folder that relaydesk may create and write to."
    )


def test_check_folder_rejects_path_under_file(tmp_path):
    (tmp_path / "var").write_text("")
    with pytest.raises(ImproperlyConfigured) as raised:
        check_folder("RELAYDESK_DATA_DIR", tmp_path / "var" / "desk", create=True)
    assert f"because {str(tmp_path / 'var')!r} is a file" in str(raised.value)


def test_check_folder_reports_failed_creation(tmp_path, monkeypatch):
    def fail_mkdir(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "mkdir", fail_mkdir)
    with pytest.raises(ImproperlyConfigured) as raised:
        check_folder("RELAYDESK_DATA_DIR", tmp_path / "var", create=True)
    assert "could not be created (Permission denied)" in str(raised.value)


def test_check_folder_rejects_read_only_folder(tmp_path, monkeypatch):
    # The tests may run as root, who may write anywhere, so access() is
    # replaced to report a folder that this user may not write to.
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(ImproperlyConfigured) as raised:
        check_folder("RELAYDESK_OUTBOX_DIR", tmp_path / "outbox")
    assert str(raised.value).startswith(
        f"RELAYDESK_OUTBOX_DIR={str(tmp_path / 'outbox')!r} is not writable, because this "
        f"user may not write to {str(tmp_path)!r}"
    )
