"""Segment counting the way carriers count."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.render import gsm, segments


@pytest.mark.parametrize(
    "text,encoding,segs",
    [
        ("", "GSM-7", 0),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters cost two septets
        ("€" * 81, "GSM-7", 2),
        ("é" * 160, "GSM-7", 1),  # é is in the basic table
        ("á" * 70, "UCS-2", 1),
        ("á" * 71, "UCS-2", 2),
        ("a" * 159 + "’", "UCS-2", 3),  # one curly quote turns the whole text into UCS-2
        ("🙂" * 35, "UCS-2", 1),  # an emoji is two UTF-16 units
        ("🙂" * 36, "UCS-2", 2),
    ],
)
def test_count(text, encoding, segs):
    result = segments.count(text)
    assert (result.encoding, result.segments) == (encoding, segs)


def test_extension_character_is_never_split():
    assert segments.count("a" * 152 + "€" + "a" * 10).segments == 2
    assert segments.count("a" * 152 + "€" + "a" * 152).segments == 3  # 306 units, but € moves to part 2


def test_fold_every_sms_that_gsm7_can_carry_alike():
    short = "Dołącz do nas w środę"
    assert gsm.fit(short) == "Dolacz do nas w srode"  # one spelling in every SMS, short or long (issue 23)
    assert gsm.fit("Envía SÍ o NO. ¿Vienes? Añade señal") == "Envia SI o NO. ¿Vienes? Añade señal"  # ñ ¿ are GSM-7
    long = "Dołącz do nas w środę. " * 6
    assert gsm.fit(long) == ("Dolacz do nas w srode. " * 6)
    assert segments.is_gsm7(gsm.fit("“Quoted” — it’s fine… " * 5))
    emoji = "🙂 " * 60
    assert gsm.fit(emoji) == emoji


def _walked(text: str) -> segments.SegmentCount:
    """The count by walking every character (the code before its one-segment shortcut), to compare with."""
    gsm7 = all(ch in segments.GSM7_BASIC or ch in segments.GSM7_EXTENSION for ch in text)
    if gsm7:
        units = [2 if ch in segments.GSM7_EXTENSION else 1 for ch in text]
        single, part, encoding = segments.GSM7_SINGLE, segments.GSM7_PART, "GSM-7"
    else:
        units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        single, part, encoding = segments.UCS2_SINGLE, segments.UCS2_PART, "UCS-2"
    if sum(units) <= single:
        return segments.SegmentCount(encoding, len(text), sum(units), 1 if text else 0)
    count, used = 1, 0
    for width in units:
        if used + width > part:
            count, used = count + 1, 0
        used += width
    return segments.SegmentCount(encoding, len(text), sum(units), count)


@given(st.text(alphabet=st.sampled_from("aé€^{ \n’🙂\ud800Ωx"), max_size=400))
def test_the_shortcut_counts_as_walking_every_character(text):
    assert segments.count(text) == _walked(text)
