"""Values read from a URL's query (what a person typed, a link kept, or a prober sent), parsed
without ever raising: ``None`` means "not a value of this kind", and the caller says so.

Two traps these avoid: ``str.isdigit()`` is true for "²", which ``int()`` refuses, and a number
or a date a database cannot store (beyond 64 bits, year 9999 plus a day) fails only once it
reaches the database, as a 500.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

# The range of a 64-bit signed integer, the widest column of the three databases.
INT_MAX = 2**63 - 1
# The dates a query may name: what every database stores, with room for a day either side.
FIRST_YEAR, LAST_YEAR = 1900, 2999
_DIGITS = re.compile(r"[0-9]{1,19}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def int_param(value: str) -> int | None:
    """A non-negative whole number in ASCII digits that a database can store, else None."""
    if not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if number <= INT_MAX else None


def date_param(value: str) -> date | None:
    """A real calendar day written YYYY-MM-DD, between 1900 and 2999, else None."""
    if not _DAY.fullmatch(value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def moment_param(value: str) -> datetime | None:
    """An ISO 8601 date-time with its offset, between 1900 and 2999, in UTC (a database may
    refuse the offset as written: PostgreSQL's end at 15:59), else None."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.utcoffset() is None or not FIRST_YEAR <= moment.year <= LAST_YEAR:
        return None
    return moment.astimezone(UTC)


def has_nul(value: str) -> bool:
    """Text holding a NUL character, which no database column stores (PostgreSQL refuses it)."""
    return "\x00" in value
