"""The simulator's call mode shows join by calling and the keypad menu (issue 27): the page's own HTTP
endpoints (sign, then post the signed request), the words said sent as Twilio's ``SpeechResult``. The whole
call is printed (``pytest -s``) as the phone shows it, in English and in Spanish. On both backends."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.demo import seed as demo
from bot.store.models import Circle
from tests.e2e.test_simulator_call import Phone, sim  # noqa: F401 - the fixture

CALLERS = {"en": ("+18165550161", "1", "Amina"), "es": ("+18165550162", "2", "Rosa María")}


class Speaking(Phone):
    """``Phone`` that can also say words at a speech <Gather>, as simulator.js does."""

    def say(self, words: str):
        self.transcript.append(f'  says  "{words}"')
        signed = self.client.post(
            "/simulator/voice/sign",
            json={"from": self.number, "path": self.action, "speech": words, "call_sid": self.sid},
        ).get_json()
        assert signed["params"]["SpeechResult"] == words and "Digits" not in signed["params"]
        return self.step_signed(self.action, signed)

    def step_signed(self, path, signed):
        import xml.etree.ElementTree as ET
        from urllib.parse import urlsplit

        response = self.client.post(path, data=signed["params"], headers={"X-Twilio-Signature": signed["signature"]})
        assert response.status_code == 200, response.get_data(as_text=True)
        twiml = ET.fromstring(response.get_data(as_text=True))
        for say in twiml.iter("Say"):
            self.transcript.append(f"  bot   {say.text}  [{say.get('voice')}, {say.get('language')}]")
        gather = twiml.find("Gather")
        self.action = (lambda u: u.path + "?" + u.query)(urlsplit(gather.get("action"))) if gather is not None else None
        return twiml


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_whole_call_joins_by_phone_then_the_menu_says_cant_come(sim, cli_env, lang):  # noqa: F811
    from bot.cli import main

    client = sim.test_client()
    runtime = sim.extensions["circlebot"]
    with runtime.uow() as session:
        phone_code = session.query(Circle).filter_by(code=demo.DEMO_CODE).one().phone_code
    number, key, name = CALLERS[lang]
    first = Speaking(client, number, "CA" + "a" * 32)
    first.transcript.append(f"call 1 from {number}")
    first.step("/twilio/voice")
    first.step(first.action, key)  # the language
    first.step(first.action, phone_code)
    first.step(first.action, "1")  # join
    first.say(name)
    done = first.step(first.action, "1")  # that is right
    assert done.find("Hangup") is not None and name in " ".join(s.text for s in done.iter("Say"))
    second = Speaking(client, number, "CA" + "b" * 32)
    second.transcript.append(f"call 2 from {number}: a known number, straight to the code")
    second.step("/twilio/voice")
    second.step(second.action, phone_code)
    second.step(second.action, "1")  # the next meeting
    bye = second.step(second.action, "2")  # can't come
    assert bye.find("Hangup") is not None
    print("\n".join(first.transcript + second.transcript))
    said = " ".join(first.transcript + second.transcript)
    assert ("cannot come" if lang == "en" else "no puedes ir") in said
    shown = json.loads(CliRunner().invoke(main, ["circle", "show", demo.DEMO_CODE, "--json"]).output)
    assert shown["channels"].get("voice") == 1 and shown["meetings"][0]["no"] == 1
