"""``circlebot telegram set-webhook | info``: connecting the bot to Telegram."""

from __future__ import annotations

import click

from bot.render.i18n import gettext
from bot.render.texts import TEXTS
from flows import commands, languages

WEBHOOK_PATH = "/telegram"
ALLOWED_UPDATES = ("message", "callback_query")
COMMAND_KEYS = commands.telegram_menu()  # (command, description key), from flows/commands.py


def bot_commands(lang: str) -> list:
    """The bot's command menu in ``lang``: ``/help``, ``/stop``, ``/language`` and ``/circles``."""
    from telegram import BotCommand

    return [BotCommand(name, gettext(TEXTS[key], lang)) for name, key in COMMAND_KEYS]


def _adapter():
    from bot.outbound.channels.telegram import TelegramChannel
    from bot.settings import Settings

    settings = Settings.from_env()
    if not settings.telegram_enabled:
        raise click.ClickException("TELEGRAM_BOT_TOKEN is not set (BotFather gives it when you create the bot)")
    return settings, TelegramChannel(settings)


@click.group()
def telegram() -> None:
    """Telegram bot commands."""


@telegram.command("set-webhook")
def set_webhook() -> None:
    """Registers PUBLIC_BASE_URL/telegram with the secret, the update types and the localized commands."""
    settings, adapter = _adapter()
    if not settings.telegram_webhook_secret:
        raise click.ClickException("TELEGRAM_WEBHOOK_SECRET is not set; pick a long random value (A-Z a-z 0-9 _ -)")
    url = settings.public_base_url + WEBHOOK_PATH
    adapter.call(
        "set_webhook", url=url, secret_token=settings.telegram_webhook_secret, allowed_updates=list(ALLOWED_UPDATES)
    )
    adapter.call("set_my_commands", commands=bot_commands(languages.DEFAULT))
    for lang in languages.SHIPPED:
        adapter.call("set_my_commands", commands=bot_commands(lang), language_code=lang)
    click.echo(
        f"webhook set: {url} (updates: {', '.join(ALLOWED_UPDATES)}; commands in {', '.join(languages.SHIPPED)})"
    )


@telegram.command("info")
def info() -> None:
    """Prints what Telegram knows of the webhook (getWebhookInfo)."""
    _, adapter = _adapter()
    found = adapter.call("get_webhook_info")
    click.echo(f"url: {found.url or '(none)'}")
    click.echo(f"pending updates: {found.pending_update_count}")
    click.echo(f"allowed updates: {', '.join(found.allowed_updates or ()) or '(all)'}")
    if found.last_error_message:
        click.echo(f"last error: {found.last_error_message} at {found.last_error_date}")
