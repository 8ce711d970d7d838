"""Durations on the command line: ``8h``, ``30m``, ``1h30m``, ``90s``; ``d`` (24 h) only for
calendar time, since a business day has no fixed length (write ``8h``, not ``1d``)."""

from __future__ import annotations

import re
from datetime import timedelta

from hotline.calendars.week import CalendarError

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(text: str, *, days: bool) -> timedelta:
    """``[Nd][Nh][Nm][Ns]``, at least one part; days only when ``days`` is true."""
    match = _DURATION.match(text.strip().lower())
    if match is None or not any(match.groups()):
        raise CalendarError(f"duration {text!r}: write it like 8h, 30m, 1h30m or 90s")
    d, h, m, s = (int(g or 0) for g in match.groups())
    if d and not days:
        raise CalendarError(
            f"duration {text!r}: a business day has no fixed length; write hours (e.g. 8h), "
            "or give --calendar-time for 24-hour days"
        )
    return timedelta(days=d, hours=h, minutes=m, seconds=s)


def format_duration(value: timedelta) -> str:
    """``9h30m``, ``45s``, ``0s``; ``-1h`` when negative; hours never roll over into days."""
    sign, value = ("-", -value) if value < timedelta(0) else ("", value)
    seconds = int(value.total_seconds())
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((h, "h"), (m, "m"), (s, "s")) if n]
    return sign + ("".join(parts) or "0s")
