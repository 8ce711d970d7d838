"""`make run`'s stack as a new user would meet it: broker + five services come up, every
/healthz and /readyz answers 200, the printed call-callback help works, and Ctrl-C (SIGINT)
leaves no process behind."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from hotline import twilio
from hotline_tools.devstack.stack import free_base_port, free_port_pair

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
SERVICE_OFFSETS = range(1, 6)  # email_ingest, chat_gateway, social_ingest, unifier, voice


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def wait_for(predicate: object, timeout: float) -> bool:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def all_ready(base: int) -> bool:
    try:
        return all(
            httpx.get(f"http://127.0.0.1:{base + i}/readyz", timeout=2).status_code == 200
            for i in SERVICE_OFFSETS
        )
    except httpx.HTTPError:
        return False


def test_stack_comes_up_and_ctrl_c_leaves_nothing_behind() -> None:
    var = Path(tempfile.mkdtemp(prefix="hotline-stack-"))
    base = free_base_port()
    env = {
        **os.environ,
        "HOTLINE_API_TOKENS": '{"default": "dev-my-own-token"}',  # the user's own setting
        "HOTLINE_VAR": str(var),
        "HOTLINE_BASE_PORT": str(base),
        "HOTLINE_KAFKA_PORT": str(free_port_pair()),
    }
    printed = var / "run.out"  # a file, not a pipe: read while the stack runs
    with printed.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hotline.cli", "run"],
            env=env,
            cwd=REPO,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        assert wait_for(lambda: all_ready(base), 120), "stack did not become ready"
        for i in SERVICE_OFFSETS:
            assert httpx.get(f"http://127.0.0.1:{base + i}/healthz").status_code == 200
        # `run` writes its pid list once its own readiness probes return, which may be a
        # moment after ours
        pid_file = var / "stack.pids"
        assert wait_for(pid_file.exists, 30), "stack.pids not written"
        pids = [int(p) for p in pid_file.read_text().split()]
        assert len(pids) == 6 and all(alive(p) for p in pids)  # the broker and five services
        api = f"http://127.0.0.1:{base + 4}/api/tenants/default/conversations"
        assert httpx.get(api).status_code == 401
        # the token the user set is the one that works: `run` kept it instead of its own
        assert httpx.get(api, headers=bearer("dev-my-own-token")).status_code == 200
        assert httpx.get(api, headers=bearer("dev-agent-token")).status_code == 401
        assert httpx.get(api, params={"token": "dev-my-own-token"}).status_code == 401  # no URL
        assert wait_for(lambda: "Hotline is running" in printed.read_text(), 30)
        assert_printed_sign_in_works(base, printed.read_text())
        assert_demo_is_one_conversation(base, env)
        assert_printed_call_help_works(base, printed.read_text(), env)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        out = printed.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
        shutil.rmtree(var, ignore_errors=True)
    assert proc.returncode == 0, out
    assert "Hotline is running" in out and "stopped" in out
    # what a newcomer needs is printed: where and as whom to sign in, the secrets to sign requests
    assert "dev-meta-app-secret" in out and "hotline demo" in out
    assert wait_for(lambda: not any(alive(p) for p in pids), 10), "processes left behind"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_printed_sign_in_works(base: int, out: str) -> None:
    """The printed sign-in line, followed as a newcomer would: the form, then the workspace."""
    line = re.search(r"sign in +(http://\S+/login) +as (\S+) / (\S+)\n", out)
    assert line, out
    url, email, password = line.groups()
    assert url == f"http://127.0.0.1:{base + 4}/login" and "?token=" not in out
    with httpx.Client(timeout=30) as browser:
        form = browser.get(url, params={"next": "/account"})
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert form.status_code == 200 and csrf, form.text
        fields = {"email": email, "password": password, "csrf_token": csrf.group(1)}
        res = browser.post(url, data={**fields, "next": "/account"})
        assert res.status_code == 303 and res.headers["location"] == "/account", res.text
        me = browser.get(url.replace("/login", "/api/me")).json()
        assert (me["tenant"], me["role"], me["name"]) == ("default", "admin", "Dev Admin")


def assert_printed_call_help_works(base: int, out: str, env: dict[str, str]) -> None:
    """The voice service's printed URL and Twilio token sign a callback it accepts (and a
    wrong token is refused); `hotline call` reports a whole call accepted from each source."""
    url = re.search(r"POST +(http://\S+/webhooks/voice/twilio) ", out)
    token = re.search(r"signed with +(\S+) \(the Twilio auth token", out)
    assert url and token, out
    assert url.group(1) == f"http://127.0.0.1:{base + 5}/webhooks/voice/twilio"
    pairs = [("AccountSid", "AC1"), ("CallSid", "CAe2e"), ("CallStatus", "ringing")]
    for secret, status in ((token.group(1), 200), ("not-the-token", 401)):
        headers = {"X-Twilio-Signature": twilio.sign(secret.encode(), url.group(1), pairs)}
        assert httpx.post(url.group(1), data=dict(pairs), headers=headers).status_code == status
    for source, steps in (("twilio", 4), ("vonage", 4), ("cti", 3)):
        command = ["call", "--base-port", str(base), "--source", source]
        call = subprocess.run(
            [sys.executable, "-m", "hotline.cli", *command],
            check=False,
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert call.returncode == 0, call.stderr
        assert call.stdout.count(": 200") == steps, call.stdout


def assert_demo_is_one_conversation(base: int, env: dict[str, str]) -> None:
    """`hotline demo`: Maria on six channels through the real edges, one conversation."""
    demo = subprocess.run(
        [sys.executable, "-m", "hotline.cli", "demo", "--base-port", str(base)],
        check=False,
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert demo.returncode == 0, demo.stderr
    assert f"http://127.0.0.1:{base + 4}/login?next=/inbox" in demo.stdout
    assert "admin@hotline.test / dev-admin-password" in demo.stdout and "?token=" not in demo.stdout
    api = f"http://127.0.0.1:{base + 4}/api/tenants/default/conversations"
    auth = bearer("dev-my-own-token")

    def one_with_six() -> bool:
        found = httpx.get(api, headers=auth).json()
        return len(found) == 1 and found[0]["message_count"] == 6

    assert wait_for(one_with_six, 60), httpx.get(api, headers=auth).json()
