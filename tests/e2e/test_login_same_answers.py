"""Issue 22 (10): the sign-in form must not tell a staff number from an unknown one, by its answers or by
its work. On the old code a staff number said "Too many wrong tries" after 5 wrong codes while an unknown
one kept saying "not right", and a staff check ran more statements (about 4.5 ms more on PostgreSQL)."""

from __future__ import annotations

import re

from sqlalchemy import event

from tests.e2e.test_facilitator_pages import A_PHONE, last_code, pages, post  # noqa: F401 - the fixture
from tests.helpers import make_circle

UNKNOWN = "+18165550999"


def _error(response) -> str:
    return re.search(r'class="flash error"[^>]*>([^<]+)<', response.get_data(as_text=True)).group(1).strip()


def test_a_staff_and_an_unknown_number_get_the_same_answers_after_the_same_statements(app, runtime, uow):
    make_circle(uow, facilitator=A_PHONE)
    statements: list[str] = []
    event.listen(runtime.uow.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    seen = {}
    for phone in (A_PHONE, UNKNOWN):
        client = app.test_client()
        app.config["WTF_CSRF_SSL_STRICT"] = False
        assert post(client, "/facilitator/login", {"address": phone}).status_code == 302
        wrong = f"{(int(last_code(uow)) + 1) % 1000000:06d}"  # wrong for the staff number, and for anyone
        answers = []
        for _ in range(7):
            statements.clear()
            response = post(client, "/facilitator/login/code", {"code": wrong})
            answers.append((response.status_code, _error(response), len(statements)))
        seen[phone] = answers
    assert seen[A_PHONE] == seen[UNKNOWN], seen
    assert [text for _, text, _ in seen[A_PHONE]][-3:] == ["Too many wrong tries. Ask for a new code."] * 3
