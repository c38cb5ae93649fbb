"""Telegram: the one bridge from synchronous code to python-telegram-bot's asyncio ``Bot``, flood-limit
pacing, and the LINK codes that join a Telegram chat to a contact who joined by SMS."""
