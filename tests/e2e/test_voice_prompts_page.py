"""The organizer's page for recorded prompts (issue 29): the missing keys, and an upload of WAV/MP3 files."""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone

from bot.render import voice_prompts
from tests.e2e.test_facilitator_pages import A_PHONE, ORG_PHONE, csrf, get, pages, post, sign_in  # noqa: F401
from tests.e2e.test_voice_prompts import wav
from tests.helpers import make_circle

PAGE = "/facilitator/voice-prompts/sw"


def missing_count(page: str) -> str:
    return re.search(r'<p id="missing-count">([^<]*)</p>', page).group(1)


def test_an_organizer_sees_the_missing_keys_and_uploads_recordings(pages, uow):  # noqa: F811
    from bot.domain import roles

    make_circle(uow, facilitator=A_PHONE)
    with uow() as db:
        roles.add_organizer(db, ORG_PHONE, "Kenya National Library Service", datetime.now(timezone.utc))
        db.commit()
    sign_in(pages, uow, ORG_PHONE)
    page = get(pages, PAGE).get_data(as_text=True)
    assert 'id="nav-prompts"' in get(pages, "/facilitator/circles").get_data(as_text=True)
    needed = sum(1 for p in voice_prompts.needed("sw") if p.kind != "circle")  # grows with the catalog
    assert missing_count(page) == f"{needed} recordings are missing."
    assert "<code>voice.welcome</code>" in page and "Habari! Hii ni laini ya vikundi vya kujifunza." in page
    assert "<code>circle.kc42</code> (optional)" in page
    big = wav(1) * 3  # several files are more than the pages' usual 256 KB
    files = [
        (io.BytesIO(wav(1)), "voice.welcome.wav"),
        (io.BytesIO(b"\xff\xfb\x90\x00" + bytes(400_000)), "time.evening.mp3"),
        (io.BytesIO(big), "voice.nonsense.wav"),
        (io.BytesIO(b"hello"), "num.1.wav"),
    ]
    response = post(pages, PAGE, {"files": files}, token=csrf(pages, PAGE), content_type="multipart/form-data")
    assert response.status_code == 302
    page = get(pages, PAGE).get_data(as_text=True)
    assert "2 recordings saved." in page
    assert "voice.nonsense.wav was not saved: no prompt has this name" in page
    assert "num.1.wav was not saved: it is not a WAV or MP3 recording under 4 MB" in page
    assert missing_count(page) == f"{needed - 2} recordings are missing."
    recorded = page.split('id="recorded"')[1]
    assert "<code>voice.welcome</code>" in recorded and "<code>time.evening</code>" in recorded
    served = get(pages, "/voice/prompts/sw/time.evening")
    assert served.status_code == 200 and served.mimetype == "audio/mpeg"


def test_a_facilitator_who_is_no_organizer_gets_403(pages, uow):  # noqa: F811
    make_circle(uow, facilitator=A_PHONE)
    sign_in(pages, uow, A_PHONE)
    assert get(pages, PAGE).status_code == 403
    assert 'id="nav-prompts"' not in get(pages, "/facilitator/circles").get_data(as_text=True)
