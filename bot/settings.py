"""Settings read from the environment (DESIGN.md §2), with overrides for tests and the CLI."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta

import phonenumbers

from flows import languages

DEFAULT_PUBLIC_BASE_URL = "http://localhost:5000"
DEFAULT_QUIET_HOURS = "21:00-08:00"
DEFAULT_REGION = "US"
# The RQ queue name, also the namespace of every job id and Redis key circlebot makes (CIRCLEBOT_QUEUE).
DEFAULT_QUEUE = "circlebot"
SHIPPED_LOCALES = languages.SHIPPED
MAX_TRUSTED_PROXIES = 5
# Operational knobs beyond DESIGN.md's table, kept in ``Settings.extra`` (see the README).
EXTRA_SETTINGS = (
    "TWILIO_TIMEOUT",
    "OUTBOX_STUCK_AFTER",
    "TELEGRAM_BOT_USERNAME",
    "CALL_WINDOW",
    "CALL_RATE_PER_SECOND",
    "TWILIO_CONTENT_API_BASE",
    # Africa's Talking (bot/africastalking.py reads them)
    "AFRICASTALKING_USERNAME",
    "AFRICASTALKING_API_KEY",
    "AFRICASTALKING_FROM",
    "AFRICASTALKING_API_BASE",
    "AFRICASTALKING_CALLBACK_KEY",
    "AFRICASTALKING_COUNTRIES",
    "AFRICASTALKING_TIMEOUT",
    "QUIET_HOURS_BY_COUNTRY",
    "EXPRESS_CONSENT_COUNTRIES",
)


class SettingsError(ValueError):
    """A setting has a value that cannot be used."""


def instance_path_default() -> str:
    """The instance folder: ``$CIRCLEBOT_INSTANCE`` or ``instance/`` beside the project."""
    return os.environ.get("CIRCLEBOT_INSTANCE") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "instance"
    )


def parse_duration(text: str) -> timedelta:
    """Parses ``90m``, ``24h``, ``2d`` or a number of seconds into a timedelta."""
    text = text.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        if text and text[-1] in units:
            return timedelta(seconds=float(text[:-1]) * units[text[-1]])
        return timedelta(seconds=float(text))
    except ValueError as exc:
        raise SettingsError(f"not a duration: {text!r}") from exc


SIMULATOR_NUMBER = "+18165550100"  # the bot's number in the demo's phone simulator


@dataclass(frozen=True)
class Settings:
    """Every setting circlebot reads; see the README for what each one means."""

    database_url: str | None = None
    redis_url: str | None = None
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from: str | None = None
    twilio_api_base: str | None = None
    telegram_bot_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_base: str | None = None
    p2pu_api_base: str = "https://learningcircles.p2pu.org"
    send_rate_per_second: float = 1.0
    quiet_hours: str = DEFAULT_QUIET_HOURS
    reminder_lead: timedelta = timedelta(hours=24)
    secret_key: str | None = None
    simulator: bool = False
    queue_name: str = DEFAULT_QUEUE
    default_language: str = "en"
    default_region: str = DEFAULT_REGION
    # How many proxies in front of the app set X-Forwarded-For/-Proto (Werkzeug's ProxyFix; TRUSTED_PROXIES).
    trusted_proxies: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def texting_number(self) -> str | None:
        """The number learners text (E.164): ``TWILIO_FROM`` when it is one (not a Messaging Service SID),
        else the simulator's in the demo, else None."""
        if (self.twilio_from or "").startswith("+"):
            return self.twilio_from
        return SIMULATOR_NUMBER if self.simulator else None

    @property
    def twilio_enabled(self) -> bool:
        """True when real Twilio credentials are configured."""
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    @property
    def telegram_enabled(self) -> bool:
        """True when a Telegram bot token is configured."""
        return bool(self.telegram_bot_token)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, overrides: dict | None = None) -> "Settings":
        """Builds settings from ``env`` (default ``os.environ``), then applies ``overrides``."""
        environ: Mapping[str, str] = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = environ.get(name)
            return value if value not in (None, "") else None

        values: dict = {
            "database_url": get("DATABASE_URL"),
            "redis_url": get("REDIS_URL"),
            "public_base_url": (get("PUBLIC_BASE_URL") or DEFAULT_PUBLIC_BASE_URL).rstrip("/"),
            "twilio_account_sid": get("TWILIO_ACCOUNT_SID"),
            "twilio_auth_token": get("TWILIO_AUTH_TOKEN"),
            "twilio_from": get("TWILIO_FROM"),
            "twilio_api_base": get("TWILIO_API_BASE"),
            "telegram_bot_token": get("TELEGRAM_BOT_TOKEN"),
            "telegram_webhook_secret": get("TELEGRAM_WEBHOOK_SECRET"),
            "telegram_api_base": get("TELEGRAM_API_BASE"),
            "p2pu_api_base": (get("P2PU_API_BASE") or "https://learningcircles.p2pu.org").rstrip("/"),
            "quiet_hours": environ.get("QUIET_HOURS", DEFAULT_QUIET_HOURS),
            "secret_key": get("SECRET_KEY"),
            "default_region": (get("DEFAULT_REGION") or DEFAULT_REGION).upper(),
            "queue_name": get("CIRCLEBOT_QUEUE") or DEFAULT_QUEUE,
            "extra": {name: get(name) for name in EXTRA_SETTINGS if get(name)},
        }
        rate = get("SEND_RATE_PER_SECOND")
        if rate is not None:
            try:
                values["send_rate_per_second"] = float(rate)
            except ValueError as exc:
                raise SettingsError(f"SEND_RATE_PER_SECOND is not a number: {rate!r}") from exc
        if not re.match(r"^[A-Za-z0-9-]{1,48}$", values["queue_name"]):
            raise SettingsError(f"CIRCLEBOT_QUEUE must be 1-48 letters, digits or '-': {values['queue_name']!r}")
        if values["default_region"] not in phonenumbers.SUPPORTED_REGIONS:
            raise SettingsError(f"DEFAULT_REGION is not a two-letter region code: {values['default_region']!r}")
        proxies = get("TRUSTED_PROXIES")
        if proxies is not None:
            if not proxies.isdigit() or int(proxies) > MAX_TRUSTED_PROXIES:
                raise SettingsError(
                    f"TRUSTED_PROXIES is how many proxies stand in front of the app (0-{MAX_TRUSTED_PROXIES}): "
                    f"{proxies!r}"
                )
            values["trusted_proxies"] = int(proxies)
        lead = get("REMINDER_LEAD")
        if lead is not None:
            values["reminder_lead"] = parse_duration(lead)
        settings = cls(**values)
        if overrides:
            settings = settings.with_overrides(overrides)
        return settings

    def with_overrides(self, overrides: dict) -> "Settings":
        """Returns a copy with the given fields (lower-case names or env-style names) replaced."""
        names = {f.name for f in fields(self)}
        clean = {}
        for key, value in overrides.items():
            name = key.lower()
            if name in names:
                clean[name] = value
            else:
                clean.setdefault("extra", dict(self.extra))[key] = value
        return replace(self, **clean)

    def ensure_secret_key(self) -> "Settings":
        """Returns settings with a random SECRET_KEY when none is set (the demo only)."""
        return self if self.secret_key else replace(self, secret_key=secrets.token_hex(32))
