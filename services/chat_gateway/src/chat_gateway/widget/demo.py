"""The plain demo page that embeds the widget with one script tag.

In ``env=dev`` the page can also sign a demo user in: the gateway mints the identity token
with the site's secret, as a real host site does on its own server after its own login (the
secret never reaches the browser). Outside dev no token is minted; a person can still paste one
their own server signed (``identity_token=``).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import jwt

DEMO_TOKEN_TTL_S = 3600


@dataclass(frozen=True)
class DemoUser:
    sub: str = "demo-maria"
    email: str = "maria@example.com"
    phone: str = "+14155550123"
    name: str = "Maria Demo"


def mint_demo_token(secret: str, user: DemoUser, now: float) -> str:
    claims = {
        "sub": user.sub,
        "email": user.email,
        "phone": user.phone,
        "name": user.name,
        "iat": int(now),
        "exp": int(now) + DEMO_TOKEN_TTL_S,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def demo_page(
    site: str,
    identifier: str = "",
    identifier_hash: str = "",
    identity_token: str = "",
    signed_as: DemoUser | None = None,
) -> str:
    attrs = f'data-site="{escape(site)}"'
    if identifier:
        attrs += f' data-identifier="{escape(identifier)}"'
        attrs += f' data-identifier-hash="{escape(identifier_hash)}"'
    if identity_token:
        attrs += f' data-identity-token="{escape(identity_token)}"'
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Hotline chat demo</title></head>
<body>
<h1>Hotline chat demo</h1>
<p>This page embeds the Hotline web chat widget with one script tag:</p>
<pre>&lt;script src="/chat/widget.js" {escape(attrs)}&gt;&lt;/script&gt;</pre>
{_identity_note(site, identity_token, signed_as)}
<script src="/chat/widget.js" {attrs}></script>
</body>
</html>
"""


def _identity_note(site: str, identity_token: str, signed_as: DemoUser | None) -> str:
    q = escape(site)
    if signed_as is not None:
        who = escape(f"{signed_as.name} <{signed_as.email}>, {signed_as.phone}")
        return f"""<p id="demo-identity"><strong>DEMO ONLY, dev mode:</strong> signed in as
{who}. The gateway minted this identity token (HS256, expires in 1 hour) with the site's
secret; a real site mints it on its own server after its own login.
<a href="?site={q}">Chat anonymously instead</a>.</p>"""
    if identity_token:
        return '<p id="demo-identity">Using the identity token given in the address.</p>'
    return f"""<p id="demo-identity">Anonymous visitor.
<a href="?site={q}&amp;demo_user=1">Sign in as the demo user</a> (dev mode only), or pass
<code>identity_token=&lt;JWT&gt;</code> signed with the site's secret.</p>"""
