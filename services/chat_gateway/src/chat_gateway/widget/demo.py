"""The plain demo page that embeds the widget with one script tag."""

from __future__ import annotations

from html import escape


def demo_page(site: str, identifier: str = "", identifier_hash: str = "") -> str:
    attrs = f'data-site="{escape(site)}"'
    if identifier:
        attrs += f' data-identifier="{escape(identifier)}"'
        attrs += f' data-identifier-hash="{escape(identifier_hash)}"'
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Hotline chat demo</title></head>
<body>
<h1>Hotline chat demo</h1>
<p>This page embeds the Hotline web chat widget with one script tag:</p>
<pre>&lt;script src="/chat/widget.js" {escape(attrs)}&gt;&lt;/script&gt;</pre>
<script src="/chat/widget.js" {attrs}></script>
</body>
</html>
"""
