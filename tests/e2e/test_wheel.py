"""The README's production path: ``pip install .`` builds a wheel that holds everything it needs at run time.

The wheel is built from this checkout and installed into a fresh virtualenv (its dependencies are
borrowed from the test virtualenv as a plain path, never the editable checkout), then run from an
empty directory: ``circlebot db upgrade``, ``circlebot circle create --language es``, and a signed
``UNIRSE ES42`` through the installed app's webhook must be answered in Spanish: the catalogs ship
inside the package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CLIENT = textwrap.dedent(
    """
    import json, sys
    import bot
    from bot import create_app
    from tests_helpers_copy import post, AUTH_TOKEN, BASE_URL

    app = create_app({"DATABASE_URL": sys.argv[1], "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "PUBLIC_BASE_URL": BASE_URL,
                      "INSTANCE_PATH": sys.argv[2], "SECRET_KEY": "wheel-test"})
    reply = post(app.test_client(), "UNIRSE ES42")
    print(json.dumps({"bot": bot.__file__, "reply": reply}))
    """
)

HELPERS = textwrap.dedent(
    """
    import xml.etree.ElementTree as ET
    from twilio.request_validator import RequestValidator

    AUTH_TOKEN = "wheel-test-token"
    BASE_URL = "https://circlebot.example.org"

    def post(client, body):
        params = {"MessageSid": "SM" + "1" * 32, "SmsSid": "SM" + "1" * 32, "AccountSid": "AC" + "2" * 32,
                  "From": "+18165550123", "To": "+18165550100", "Body": body, "NumMedia": "0", "NumSegments": "1"}
        signature = RequestValidator(AUTH_TOKEN).compute_signature(BASE_URL + "/twilio/sms", params)
        response = client.post("/twilio/sms", data=params, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200, response.get_data(as_text=True)
        return [m.text for m in ET.fromstring(response.get_data(as_text=True)).iter("Message")]
    """
)


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


def test_the_installed_wheel_answers_a_spanish_circle_in_spanish(tmp_path):
    source = tmp_path / "source"  # a copy, so no earlier build/ directory can lend the wheel its files
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "*.egg-info", "instance", "__pycache__", ".*_cache", ".hypothesis"
        ),
    )
    wheels = tmp_path / "wheels"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(source))
    (wheel,) = wheels.glob("circlebot-*.whl")

    env_dir = tmp_path / "venv"
    venv.create(env_dir)  # no pip of its own (ensurepip takes seconds): this pip installs into it
    python = env_dir / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel))
    own = Path(run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    # The dependencies: the test virtualenv's site-packages as a plain path (its .pth files, among them
    # the editable checkout's finder, are not read from a plain path line).
    (own / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    work = tmp_path / "elsewhere"  # not the checkout: nothing can be imported from the working tree
    work.mkdir()
    (work / "tests_helpers_copy.py").write_text(HELPERS)
    (work / "client.py").write_text(CLIENT)
    url = f"sqlite:///{work / 'wheel.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "REDIS_URL", "DATABASE_URL")}
    env.update(DATABASE_URL=url, CIRCLEBOT_INSTANCE=str(work))
    circlebot = str(env_dir / "bin" / "circlebot")
    run(circlebot, "db", "upgrade", cwd=work, env=env)
    run(
        circlebot,
        "circle",
        "create",
        "--name",
        "Intro",
        "--venue",
        "Biblioteca Central",
        "--weekday",
        "tue",
        "--time",
        "18:30",
        "--timezone",
        "America/Chicago",
        "--weeks",
        "6",
        "--language",
        "es",
        "--facilitator-phone",
        "(816) 555-0199",
        "--code",
        "ES42",
        cwd=work,
        env=env,
    )

    out = json.loads(run(str(python), "client.py", url, str(work), cwd=work, env=env).stdout.strip().splitlines()[-1])
    assert out["bot"].startswith(str(own)), f"bot was imported from {out['bot']}, not the installed wheel"
    assert out["reply"] == ["¡Te damos la bienvenida a Intro! ¿Como te llamas?"], out["reply"]  # SMS: ó folded
