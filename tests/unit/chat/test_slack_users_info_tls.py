"""users.info clients share one TLS context: urllib would otherwise build a default context,
reading the CA bundle, on every call."""

from __future__ import annotations

import ssl

from prometheus_client import CollectorRegistry

from chat_gateway.slack.users_info import ProfileDirectory


def test_every_client_reuses_one_verifying_tls_context() -> None:
    tokens = {"T1": "xoxb-one", "T2": "xoxb-two"}
    directory = ProfileDirectory(tokens, "https://slack.example/api", CollectorRegistry())
    try:
        one, two = directory.client("T1"), directory.client("T2")
        assert one is not None and two is not None and one is not two
        assert isinstance(one.ssl, ssl.SSLContext)
        assert one.ssl is two.ssl is directory.client("T1").ssl  # type: ignore[union-attr]
        assert one.ssl.verify_mode == ssl.CERT_REQUIRED and one.ssl.check_hostname
    finally:
        directory.close()
