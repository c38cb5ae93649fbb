"""WhatsApp Content Templates (issue 28): one per message and language, whose variables are the message's
parameters, in the shape WhatsApp's review accepts, and filled in they are the text the row keeps."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from bot.render import sms
from bot.render import whatsapp as wording
from flows import languages
from flows.results import Reply, When

WHEN = When(datetime(2027, 1, 20, 0, 0, tzinfo=timezone.utc), "America/Chicago")  # Tue 6 PM in Chicago
VALUES = {"circle": "Kansas City Basics", "venue": "Central Library", "when": WHEN, "old": WHEN, "name": "Rosa"}


def real(sample: tuple[Reply, ...]) -> tuple[Reply, ...]:
    return tuple(Reply(r.key, {k: VALUES.get(k, "482913") for k in r.params}, r.choices) for r in sample)


@pytest.mark.parametrize("lang", languages.SHIPPED)
def test_every_template_is_in_a_shape_whatsapp_accepts(lang):
    for sample in wording.SAMPLES:
        if wording.name_of(sample) == wording.LOGIN:
            continue
        body = wording.fill(real(sample), lang).body
        numbers = re.findall(r"\{\{(\d+)\}\}", body)
        assert numbers, body  # every scheduled message names its circle
        assert not body.startswith("{{") and not body.rstrip().endswith("}}"), body
        assert sorted(set(numbers), key=int) == [str(n) for n in range(1, len(set(numbers)) + 1)], body
        assert not re.search(r"\}\}\s*\{\{", body), body  # two variables side by side are refused


@pytest.mark.parametrize("lang", languages.SHIPPED)
def test_a_filled_template_ends_with_the_text_the_row_keeps(lang):
    for sample in wording.SAMPLES:
        if wording.name_of(sample) == wording.LOGIN:
            continue
        replies = real(sample)
        template = wording.fill(replies, lang)
        shown = template.body
        for n, value in template.variables.items():
            shown = shown.replace("{{" + n + "}}", value)
        assert shown.endswith(sms.render(replies, lang, fold=False))
        assert template.body == wording.fill(sample, lang).body  # the same template whatever the values


def test_the_variables_are_the_parameters_not_the_message():
    [reminder] = [s for s in wording.SAMPLES if wording.name_of(s) == "reminder"]
    template = wording.fill(real(reminder), "en")
    said = {"1": "Kansas City Basics", "2": "Tuesday, January 19, 6:00 PM", "3": "Central Library"}
    assert template.variables == said
    assert template.buttons == (("Yes", "1"), ("No", "2"))


def test_the_sign_in_code_goes_in_whatsapps_own_authentication_template():
    content = wording.content(wording.LOGIN, "es")
    assert set(content["types"]) == {"whatsapp/authentication"} and wording.category(wording.LOGIN) == "AUTHENTICATION"
    assert wording.variables((Reply(wording.LOGIN, {"code": "482913"}),), "es") == {"1": "482913"}
    assert wording.category("reminder") == "UTILITY"


def test_a_survey_reminder_has_a_template_for_every_question_it_can_repeat():
    from flows import surveys

    names = set(wording.NAMES)
    for survey in (surveys.LEARNER, surveys.FACILITATOR):
        for question in survey.questions:
            assert f"survey.reminder+{question.text}" in names
