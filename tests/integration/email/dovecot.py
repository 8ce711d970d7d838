"""A private Dovecot for the IMAP tests: plaintext, or TLS (IMAPS + STARTTLS) with a throwaway
CA made by the ``openssl`` CLI, optionally with an OAuth2 (XOAUTH2) passdb."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hotline_tools.devstack.broker import free_port

BASE = """instance_name = dovecot-{name}
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
mail_location = maildir:~/Maildir
auth_mechanisms = plain login{mechanisms}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
{extra}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={d}/mail/%u
}}
"""
PLAIN = """ssl = no
disable_plaintext_auth = no
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
}}
"""
TLS = """ssl = required
ssl_cert = <{d}/pki/server.crt
ssl_key = <{d}/pki/server.key
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {tls_port}
    ssl = yes
  }}
}}
"""
OAUTH2_PASSDB = """passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {d}/oauth2.conf.ext
}}
"""
OAUTH2_CONF = """introspection_mode = post
introspection_url = {url}
username_attribute = email
active_attribute = active
active_value = true
force_introspection = yes
"""


@dataclass
class Dovecot:
    dir: str
    port: int  # plaintext (or STARTTLS when TLS is on)
    tls_port: int = 0  # implicit TLS (IMAPS); 0 when TLS is off
    password: str = "secret"

    @property
    def ca_file(self) -> Path:
        return Path(self.dir, "pki", "ca.crt")

    def add_user(self, user: str) -> None:
        with open(f"{self.dir}/users", "a") as users:
            users.write(f"{user}:{{PLAIN}}{self.password}\n")

    def deliver(self, user: str, raw: bytes, n: int) -> None:
        home = f"{self.dir}/mail/{user}"
        md = f"{home}/Maildir"
        dirs = (f"{self.dir}/mail", home, md, *(f"{md}/{s}" for s in ("cur", "new", "tmp")))
        for path in dirs:
            os.makedirs(path, exist_ok=True)
            shutil.chown(path, "nobody", "nogroup")
        name = f"{int(time.time())}.M{n}P{os.getpid()}.test"
        Path(f"{md}/tmp/{name}").write_bytes(raw)
        # Own the one new file, then move it in: a recursive chown over the maildir races
        # Dovecot, which renames files from new/ to cur/ while it runs.
        shutil.chown(f"{md}/tmp/{name}", "nobody", "nogroup")
        os.rename(f"{md}/tmp/{name}", f"{md}/new/{name}")


def message(i: int) -> bytes:
    return (
        f"From: c{i}@example.test\r\nTo: support@acme.test\r\nSubject: imap {i}\r\n"
        f"Message-ID: <imap-{i}@example.test>\r\n\r\nbody {i}\r\n"
    ).encode()


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_ca(pki: Path, name: str) -> None:
    """A self-signed CA: ``<name>.key``, ``<name>.crt``."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", f"/CN=Hotline test CA {name}", "-keyout", f"{pki}/{name}.key",
            "-out", f"{pki}/{name}.crt",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip


def make_pki(pki: Path) -> None:
    """``ca`` signs ``server`` (localhost, 127.0.0.1); ``other`` is an unrelated CA."""
    pki.mkdir()
    make_ca(pki, "ca")
    make_ca(pki, "other")
    ext = pki / "server.ext"
    ext.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", f"{pki}/server.key", "-out", f"{pki}/server.csr")  # fmt: skip
    openssl("x509", "-req", "-in", f"{pki}/server.csr", "-CA", f"{pki}/ca.crt",
            "-CAkey", f"{pki}/ca.key", "-CAcreateserial", "-days", "2",
            "-extfile", str(ext), "-out", f"{pki}/server.crt")  # fmt: skip


def config(d: str, server: Dovecot, name: str, oauth_url: str | None) -> str:
    listeners = TLS if server.tls_port else PLAIN
    listen = listeners.format(d=d, port=server.port, tls_port=server.tls_port)
    extra = OAUTH2_PASSDB.format(d=d) if oauth_url else ""
    if oauth_url:
        Path(f"{d}/oauth2.conf.ext").write_text(OAUTH2_CONF.format(url=oauth_url))
    mechanisms = " xoauth2 oauthbearer" if oauth_url else ""
    return listen + BASE.format(name=name, d=d, mechanisms=mechanisms, extra=extra)


def wait_for_greeting(proc: subprocess.Popen[bytes], d: str, port: int) -> None:
    for _ in range(200):  # ready = the "* OK" greeting, not just an open port
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5) as s:
                if s.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(Path(f"{d}/dovecot.log").read_text())


@contextmanager
def running_dovecot(
    name: str, *, tls: bool = False, oauth_url: str | None = None
) -> Iterator[Dovecot]:
    d = tempfile.mkdtemp(prefix=f"dovecot-{name}-")
    os.chmod(d, 0o755)
    for sub in ("run", "state", "mail"):
        os.mkdir(f"{d}/{sub}")
    Path(f"{d}/users").write_text("")
    server = Dovecot(d, free_port(), free_port() if tls else 0)
    if tls:
        make_pki(Path(d, "pki"))
    Path(f"{d}/dovecot.conf").write_text(config(d, server, name, oauth_url))
    proc = subprocess.Popen(["/usr/sbin/dovecot", "-c", f"{d}/dovecot.conf", "-F"])
    try:
        wait_for_greeting(proc, d, server.port)
        yield server
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
        shutil.rmtree(d, ignore_errors=True)
