"""Opening hours of the phone line, from ``CALLBACKS_HOURS``."""

import datetime

from django.conf import settings
from django.utils import formats, timezone


def _window() -> tuple[datetime.time, datetime.time]:
    start, end = settings.CALLBACKS_HOURS.split("-")
    # "24:00" closes at midnight: a line open all day is "00:00-24:00".
    closes = datetime.time.max if end == "24:00" else datetime.time.fromisoformat(end)
    return datetime.time.fromisoformat(start), closes


def is_open(at: datetime.datetime | None = None) -> bool:
    local = timezone.localtime(at)
    start, end = _window()
    return local.isoweekday() in settings.CALLBACKS_DAYS and start <= local.time() < end


def next_opening(at: datetime.datetime | None = None) -> datetime.datetime:
    local = timezone.localtime(at)
    start, _end = _window()
    for days in range(8):
        day = local.date() + datetime.timedelta(days=days)
        candidate = timezone.make_aware(datetime.datetime.combine(day, start))
        if candidate > local and candidate.isoweekday() in settings.CALLBACKS_DAYS:
            return candidate
    return local


def next_opening_display() -> str:
    return formats.date_format(next_opening(), "DATETIME_FORMAT")
