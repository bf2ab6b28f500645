"""The dashboard's cells, worked out in Python, read as the template filters and
reverse() would write them."""

from __future__ import annotations

import datetime
from uuid import uuid4

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone

from questionnaires.dashboard.views import day_text, url_with_code

MOMENTS = [
    datetime.datetime(2026, 3, 7, 0, 5, tzinfo=datetime.UTC),
    datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC),  # BST: 1 July
    datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=datetime.UTC),
    datetime.datetime(1999, 10, 31, 1, 0, tzinfo=datetime.UTC),
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_moment_reads_as_the_date_filter_writes_it(moment):
    local = timezone.localtime(moment)
    assert day_text(local) == date_filter(local, "j M Y")
    assert f"{day_text(local)}, {local:%H:%M}" == date_filter(local, "j M Y, H:i")
    assert local.isoformat() == date_filter(local, "c")


def test_a_birthday_reads_as_the_date_filter_writes_it():
    born = datetime.date(1957, 1, 2)
    assert day_text(born) == date_filter(born, "j M Y") == "2 Jan 1957"


@pytest.mark.parametrize("name", ["questionnaires:case", "practice:client-detail"])
def test_a_row_link_is_the_reversed_url(name):
    code = uuid4()
    assert url_with_code(name)(code) == reverse(name, args=[code])
