"""A private Dovecot IMAP server for one test, started and stopped by the test."""

import getpass
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from imap_tools import MailBoxUnencrypted

from tests.ports import free_port

START_TIMEOUT_SECONDS = 15

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = relaydesk-test-{port}
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_login_user = {login_user}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/home/%u
}}
"""


@dataclass
class Dovecot:
    """A running Dovecot with plaintext logins on 127.0.0.1."""

    port: int
    process: subprocess.Popen
    root: Path
    users: dict[str, str]

    def url(self, user: str = "desk", folder: str = "") -> str:
        path = f"/{folder}" if folder else ""
        return f"imap://{user}:{self.users[user]}@127.0.0.1:{self.port}{path}"

    def mailbox(self, user: str = "desk") -> MailBoxUnencrypted:
        box = MailBoxUnencrypted("127.0.0.1", self.port, timeout=30)
        return box.login(user, self.users[user], initial_folder=None)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=START_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=START_TIMEOUT_SECONDS)
        if self.root.parent.name.startswith("relaydesk-dovecot-"):
            shutil.rmtree(self.root.parent, ignore_errors=True)


def start_dovecot(tmp_path: Path, users: dict[str, str]) -> Dovecot:
    """Start Dovecot in the foreground as a child process; skip when it is not installed."""
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(binary).exists():
        pytest.skip("Dovecot is not installed: apt-get install dovecot-imapd")

    root, identity = _root_and_identity(tmp_path)
    for name in ("run", "state", "mail", "home"):
        (root / name).mkdir(parents=True)
    for name in ("mail", "home"):
        os.chown(root / name, pwd.getpwnam(identity["mail_user"]).pw_uid, -1)
    (root / "passwd").write_text("".join(f"{user}:{{PLAIN}}{pw}\n" for user, pw in users.items()))
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(CONFIG.format(root=root, port=port, **identity))

    process = subprocess.Popen(
        [binary, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    server = Dovecot(port=port, process=process, root=root, users=users)
    _wait_until_listening(server)
    return server


def _root_and_identity(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """Choose where Dovecot keeps its files and which users it runs as.

    Dovecot refuses UID 0 for mail access, so as root the mail processes run
    as the ``dovecot`` user. That user cannot enter pytest's base temporary
    folder, which pytest keeps private (mode 0700) and resets at each session,
    so as root the files go to a fresh folder under /tmp that the test removes.
    """
    if os.geteuid() != 0:
        me = getpass.getuser()
        identity = {"internal_user": me, "login_user": me, "mail_user": me}
        return tmp_path / "dovecot", {**identity, "mail_group": str(os.getgid())}

    root = Path(tempfile.mkdtemp(prefix="relaydesk-dovecot-"))
    root.chmod(0o711)
    identity = {"internal_user": "dovecot", "login_user": "dovenull", "mail_user": "dovecot"}
    return root / "dovecot", {**identity, "mail_group": "dovecot"}


def _wait_until_listening(server: Dovecot) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            error = server.process.stderr.read().decode() if server.process.stderr else ""
            pytest.fail(f"Dovecot exited at start: {error}")
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    server.stop()
    pytest.fail(f"Dovecot did not listen on port {server.port} within {START_TIMEOUT_SECONDS}s")
