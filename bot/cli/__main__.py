"""``python -m bot.cli``: the same as the ``circlebot`` console script."""

from bot.cli import main

main()
