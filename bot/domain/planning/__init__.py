"""What to send to whom, and when: reminders and tallies, follow-ups, meeting changes.

Planners write outbox rows (``bot.domain.outbox``) that say what to say, never finished text; the send
job renders each row for its channel at send time.
"""
