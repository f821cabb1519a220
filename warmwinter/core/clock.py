"""The one clock of the platform: Shanghai time, the patrol night, "tonight" and the campaign.

Every module that needs a local date, a night or the campaign asks here; none computes a
rollover of its own (four of them, rolling over at 06:00 and at 12:00, once made the morning's
planning refuse tonight's plan).

- **Shanghai time.** Local dates and hours are read in Asia/Shanghai whatever the server's zone.
- **The patrol night** runs 22:00 to 06:00 and is named by the date it begins on: the night of
  20 January is 20 Jan 22:00 – 21 Jan 06:00 (notice, section 四: 夜间重点时段).
- **"Tonight"**, as a dispatcher, a planner and a patrol say it, is the night under way until it
  ends at 06:00, and from then on this evening's: at 07:30 on 21 January a dispatcher works on
  the night of 21 January.
- **The campaign** runs 1 December to 15 March (沪民救发〔2025〕7号: 即日起至2026年3月15日); its
  preparation (摸底排查) begins a month before. A date from July on belongs to the winter ahead.
  The days come from the rulebook (`core/rules/`, group `campaign`): next winter's notice sets
  its own.

"Now" is always `django.utils.timezone.now()`, so that tests pin it in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from warmwinter.core import rulefiles

SHANGHAI = ZoneInfo("Asia/Shanghai")

NIGHT_START = time(22, 0)
NIGHT_END = time(6, 0)
NIGHT_LENGTH = timedelta(hours=8)
NIGHT_HOURS = 8

#: From this month on a date belongs to the coming winter.
SEASON_TURNS_IN_MONTH = 7


def local(moment: datetime | None = None) -> datetime:
    """`moment` (default now) as Shanghai wall-clock time."""
    return timezone.localtime(moment, SHANGHAI)  # refuses a naive moment


def local_date(moment: datetime | None = None) -> date:
    """The Shanghai calendar date of `moment` (default now)."""
    return local(moment).date()


def aware(moment: datetime) -> datetime:
    """`moment` as an aware datetime: a time sent without a zone is Shanghai wall-clock time."""
    return moment.replace(tzinfo=SHANGHAI) if timezone.is_naive(moment) else moment


def at(day: date, wall: time) -> datetime:
    """The aware moment of Shanghai wall-clock time `wall` on `day`."""
    return datetime.combine(day, wall, tzinfo=SHANGHAI)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The Shanghai calendar day `day` as [start, end) aware datetimes."""
    start = at(day, time.min)
    return start, at(day + timedelta(days=1), time.min)


def tonight(now: datetime | None = None) -> date:
    """The date of "tonight" at `now` (default now), which is also the night any moment belongs
    to for planning: until the night ends at 06:00 the one that began the evening before, from
    06:00 on the one that begins this evening."""
    wall = local(now)
    return wall.date() - timedelta(days=1) if wall.time() < NIGHT_END else wall.date()


def night_bounds(night: date) -> tuple[datetime, datetime]:
    """The night that begins on the evening of `night`, as [22:00, 06:00) aware datetimes."""
    start = at(night, NIGHT_START)
    return start, start + NIGHT_LENGTH


def last_night_begun(now: datetime | None = None) -> date:
    """The latest night whose 22:00 has come by `now`: in the morning, last night; from 22:00,
    tonight."""
    now = now or timezone.now()
    night = tonight(now)
    return night if night_bounds(night)[0] <= now else night - timedelta(days=1)


def window_in_night(night: date, start: time, end: time) -> tuple[datetime, datetime]:
    """A window of wall-clock times within `night`: times from noon on fall on the evening the
    night begins, earlier ones in the small hours after it (02:00 is 02:00 the next day); an end
    at or before the start runs past midnight."""
    begin = at(night if start >= time(12, 0) else night + timedelta(days=1), start)
    finish = at(begin.date(), end)
    if finish <= begin:
        finish += timedelta(days=1)
    return begin, finish


@dataclass(frozen=True)
class Campaign:
    """One winter's campaign."""

    first_day: date
    last_day: date
    #: How long before the first day the preparation (摸底排查、物资储备) begins.
    preparation: timedelta

    @property
    def preparation_start(self) -> date:
        return self.first_day - self.preparation

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first_day <= day <= self.last_day


def campaign_of(day: date | None = None) -> Campaign:
    """The campaign of the winter `day` (default today) lies in, as that winter's notice sets it:
    the rulebook's version in force by the end of the season (30 June), so that its preparation
    in November already reads the new notice. It begins in one year and ends in the next."""
    day = day or local_date()
    year = day.year if day.month >= SEASON_TURNS_IN_MONTH else day.year - 1
    notice = rulefiles.book().in_force(date(year + 1, SEASON_TURNS_IN_MONTH, 1) - timedelta(days=1))
    first_month, first_day = notice.integers("campaign.first_day")
    last_month, last_day = notice.integers("campaign.last_day")
    return Campaign(
        first_day=date(year, first_month, first_day),
        last_day=date(year + 1, last_month, last_day),
        preparation=notice.duration("campaign.preparation"),
    )
