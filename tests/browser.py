"""Headless Debian Chromium for the page tests (never `playwright install`: no downloads here).

The background-networking flags keep Chromium from dialling out on this closed network."""

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
