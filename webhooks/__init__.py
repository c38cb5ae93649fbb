"""One Flask blueprint per provider: verify, parse to an ``Inbound``, call the service, render."""
