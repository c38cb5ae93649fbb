"""The SMS segment budget (DESIGN.md §5) and dates in each locale's own words."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.render import sms
from bot.render.i18n import format_when
from bot.reports import budget
from bot.settings import SHIPPED_LOCALES
from flows import keys
from flows.results import Reply, When


def render(reply, lang):
    """``reply`` as one SMS in ``lang``."""
    return sms.render((reply,), lang)


ROWS = budget.rows()


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.key}-{r.locale}" for r in ROWS])
def test_every_text_fits_its_budget(row):
    assert row.segments <= row.limit, f"{row.key} in {row.locale}: {row.segments} segments ({row.encoding})"


def test_the_budget_covers_every_template_in_every_locale():
    combined = {f"{a}+{b}" for a, b in budget.COMBINED}
    assert {(r.key, r.locale) for r in ROWS} == {
        (k, lang) for k in (set(budget.TEXTS) - budget.PARTS) | combined for lang in SHIPPED_LOCALES
    }
    assert set(keys.ALL) <= set(budget.TEXTS)


def test_question_limits_follow_the_design():
    assert budget.limit(keys.SIGNUP_ASK_NAME, "en") == 1 and budget.limit(keys.SIGNUP_ASK_NAME, "sw") == 1
    assert budget.limit(keys.SIGNUP_ASK_NAME, "pl") == 2 and budget.limit(keys.SIGNUP_CONFIRMED, "en") == 3


def test_longest_placeholders_really_are_long():
    params = budget.longest_params("en")
    assert len(params["circle"]) == 40 and len(params["venue"]) == 40 and len(params["name"]) == 20
    assert format_when(params["when"], "en").startswith("Wednesday, ")


TUESDAY_6PM_CHICAGO = When(datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc), "America/Chicago")


@pytest.mark.parametrize(
    "lang,expected",
    [
        ("en", "Tuesday, December 1, 6:00 PM"),
        ("es", "martes, 1 de diciembre, 6:00 p.m."),
        ("fr", "mardi 1 décembre, 18:00"),
        ("pt", "terça-feira, 1 de dezembro, 18:00"),
        ("pl", "wtorek, 1 grudnia, 18:00"),
        ("sw", "Jumanne, 1 Desemba, 6:00 PM"),
    ],
)
def test_meeting_times_in_each_locale(lang, expected):
    assert format_when(TUESDAY_6PM_CHICAGO, lang) == expected


def _at(hour: int, minute: int, tz: str) -> When:
    return When(datetime(2026, 12, 1, hour, minute, tzinfo=ZoneInfo(tz)), tz)


@pytest.mark.parametrize(
    "lang,when,expected",
    [
        # The circle's country chooses the format too (CLDR): a Kenyan who picks English, a US learner.
        ("en", _at(18, 0, "Africa/Nairobi"), "Tuesday, 1 December, 6:00 pm"),
        ("sw", _at(18, 0, "Africa/Nairobi"), "Jumanne, 1 Desemba, 6:00 PM"),
        ("sw", _at(9, 5, "Africa/Nairobi"), "Jumanne, 1 Desemba, 9:05 AM"),
        ("en", _at(9, 0, "America/Chicago"), "Tuesday, December 1, 9:00 AM"),
        # No leading zero in a 24-hour clock.
        ("es", _at(9, 0, "Europe/Madrid"), "martes, 1 de diciembre, 9:00"),
        ("fr", _at(9, 0, "Europe/Paris"), "mardi 1 décembre, 9:00"),
        ("en", _at(9, 0, "Europe/London"), "Tuesday, 1 December, 9:00"),
        ("pt", _at(18, 30, "Europe/Lisbon"), "terça-feira, 1 de dezembro, 18:30"),
    ],
)
def test_meeting_times_follow_the_circles_country(lang, when, expected):
    assert format_when(when, lang) == expected


@pytest.mark.parametrize("lang", SHIPPED_LOCALES)
@pytest.mark.parametrize("tz", ["America/Chicago", "Africa/Nairobi", "Europe/Warsaw", "America/Sao_Paulo"])
def test_meeting_times_use_plain_spaces(lang, tz):
    """CLDR's narrow no-break space (U+202F) is not GSM-7 and would make a whole SMS UCS-2."""
    text = format_when(_at(18, 0, tz), lang)
    assert "\u202f" not in text and "\u00a0" not in text


def test_rendering_folds_every_sms_alike():
    short = render(Reply(keys.LANGUAGE_SET), "pl")
    assert short == "Gotowe! Bedziemy pisac do ciebie po polsku."  # folded like the long ones (issue 23)
    long = render(Reply(keys.SIGNUP_CONFIRMED, budget.longest_params("pl")), "pl")
    from bot.render import segments

    assert segments.count(long).segments <= 3
