"""circlebot: a chat and phone bot for library learning circles."""

from bot.app import create_app

__all__ = ["create_app"]
