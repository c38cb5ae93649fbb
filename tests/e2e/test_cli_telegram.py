"""``circlebot telegram set-webhook | info`` against the Bot API stand-in."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.standin.telegram_api import TOKEN, TelegramStandIn


@pytest.fixture
def api(monkeypatch):
    with TelegramStandIn() as running:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_BASE", running.url)
        monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret-value")
        monkeypatch.setenv("PUBLIC_BASE_URL", "https://bot.library.example")
        yield running


def test_set_webhook_registers_url_secret_updates_and_commands_per_locale(api):
    result = CliRunner().invoke(main, ["telegram", "set-webhook"])
    assert result.exit_code == 0, result.output
    assert api.webhook == {
        "url": "https://bot.library.example/telegram",
        "secret_token": "s3cret-value",
        "allowed_updates": ["message", "callback_query"],
    }
    sets = api.of("setMyCommands")
    by_lang = {s.get("language_code"): {c["command"]: c["description"] for c in s["commands"]} for s in sets}
    assert set(by_lang) == {None, "en", "es", "fr", "pt", "pl", "sw"}
    assert list(by_lang["en"]) == ["help", "stop", "language", "circles"]
    assert by_lang["sw"]["stop"] == "Sitisha ujumbe wote" and by_lang["fr"]["language"] == "Changer de langue"
    assert "s3cret" not in result.output and TOKEN not in result.output


def test_info_prints_get_webhook_info(api):
    CliRunner().invoke(main, ["telegram", "set-webhook"])
    result = CliRunner().invoke(main, ["telegram", "info"])
    assert result.exit_code == 0, result.output
    assert "url: https://bot.library.example/telegram" in result.output
    assert "allowed updates: message, callback_query" in result.output


def test_without_a_token_it_says_what_is_missing(monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    result = CliRunner().invoke(main, ["telegram", "info"])
    assert result.exit_code != 0 and "TELEGRAM_BOT_TOKEN" in result.output
