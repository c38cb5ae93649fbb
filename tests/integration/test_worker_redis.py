"""``circlebot worker`` on Redis: RQ waits for jobs on a connection whose timeout fits its BLPOP.

RQ blocks in BLPOP for minutes and raises the socket timeout of the connections its pool makes to
match, but a connection already in the pool keeps the queue's 5 s (made for web requests). The first
tick makes one; when RQ's BLPOP drew it, the worker quit "Redis connection timeout" 5 s after going
idle, and nothing was sent until someone restarted it. (tests/e2e/test_redis_down.py runs the real
worker through an idle spell and a Redis outage.)
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from bot.cli import main

DRAWS = 5  # more than the connections the worker made before RQ started (the tick's, the tick thread's)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_rq_blocks_on_a_connection_with_a_long_enough_timeout(cli_env, monkeypatch):
    from rq import Worker

    seen = {}

    def work(self, burst=False, **kwargs):  # what RQ's BLPOP could draw from its connection's pool
        pool = self.connection.connection_pool
        drawn = [pool.get_connection() for _ in range(DRAWS)]  # every idle one first, then new ones
        seen["timeouts"], seen["blpop"] = {c.socket_timeout for c in drawn}, self.dequeue_timeout
        for connection in drawn:
            pool.release(connection)
        self._shutdown_requested_date = datetime.now(timezone.utc)  # as after SIGTERM: the worker ends
        return False

    monkeypatch.setattr(Worker, "work", work)
    result = CliRunner().invoke(main, ["worker"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert all(t is None or t > seen["blpop"] for t in seen["timeouts"]), seen
