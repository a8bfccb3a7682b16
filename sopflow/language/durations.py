"""Durations as staff write them: 30m, 2h, 14d, 1d12h."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^(?:(?P<d>\d{1,4})d)?(?:(?P<h>\d{1,5})h)?(?:(?P<m>\d{1,6})m)?$")


def parse_duration(text: str) -> timedelta | None:
    """The duration written in `text`, or None if it is not one (callers report where)."""
    match = _DURATION.match(text.strip())
    if match is None or not any(match.groupdict().values()):
        return None
    days, hours, minutes = (int(match.group(g) or 0) for g in "dhm")
    value = timedelta(days=days, hours=hours, minutes=minutes)
    return value if value > timedelta(0) else None


def is_zero_duration(text: str) -> bool:
    """True for well-formed durations that add up to nothing, such as 0h (reported separately)."""
    match = _DURATION.match(text.strip())
    return bool(match and any(match.groupdict().values()) and parse_duration(text) is None)


def format_duration(value: timedelta) -> str:
    """The shortest text that parses back to `value` (minutes precision)."""
    total_minutes = int(value.total_seconds()) // 60
    days, rest = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m" if minutes else ""]
    return "".join(parts) or "0m"
