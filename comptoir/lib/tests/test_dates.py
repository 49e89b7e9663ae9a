from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation
from django.utils.dateformat import format as django_format
from django.utils.formats import get_format

from comptoir.lib.dates import date_formatter

FORMATS = ["SHORT_DATETIME_FORMAT", "DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT"]
MOMENTS = [
    datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=37 * k) for k in range(0, 40000, 97)
]
MOMENTS += [datetime(2026, 3, 9, 0, 0, tzinfo=UTC), datetime(2026, 3, 9, 12, 0, tzinfo=UTC)]


@pytest.mark.parametrize("language", ["en", "fr", "es"])
@pytest.mark.parametrize("name", FORMATS)
def test_it_writes_what_django_writes(language, name):
    with translation.override(language):
        fmt = get_format(name)
        render = date_formatter(fmt)
        for moment in MOMENTS:
            assert render(moment) == django_format(moment, fmt), (fmt, moment)


@pytest.mark.parametrize("fmt", ["H:i", "j \\d\\e F \\d\\e Y", "D, d M Y", "l jS"])
def test_other_formats_too(fmt):
    render = date_formatter(fmt)
    for moment in MOMENTS[:50]:
        assert render(moment) == django_format(moment, fmt)


def test_the_same_format_speaks_the_active_language():
    moment = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    with translation.override("en"):
        assert date_formatter("j F, P")(moment) == "9 March, 3 p.m."
    with translation.override("fr"):
        assert date_formatter("j F, P")(moment) == django_format(moment, "j F, P")
        assert date_formatter("j F, P")(moment).startswith("9 mars")
