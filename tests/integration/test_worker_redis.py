"""``circlebot worker`` on Redis: RQ waits for jobs on a connection whose timeout fits its BLPOP.

RQ blocks in BLPOP for minutes and raises the socket timeout of the connections its pool makes to
match, but a connection already in the pool keeps the queue's 5 s (made for web requests). The first
tick makes one; when RQ's BLPOP drew it, the worker quit "Redis connection timeout" 5 s after going
idle, and nothing was sent until someone restarted it. (tests/e2e/test_redis_down.py runs the real
worker through an idle spell and a Redis outage.)
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.processes import wait_until

DRAWS = 5  # more than the connections the worker made before RQ started (the tick's, the tick thread's)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_rq_blocks_on_a_connection_with_a_long_enough_timeout(cli_env, monkeypatch):
    from rq import SimpleWorker

    seen = {}

    def work(self, burst=False, **kwargs):  # what RQ's BLPOP could draw from its connection's pool
        pool = self.connection.connection_pool
        drawn = [pool.get_connection() for _ in range(DRAWS)]  # every idle one first, then new ones
        seen["timeouts"], seen["blpop"] = {c.socket_timeout for c in drawn}, self.dequeue_timeout
        for connection in drawn:
            pool.release(connection)
        self._shutdown_requested_date = datetime.now(timezone.utc)  # as after SIGTERM: the worker ends
        return False

    monkeypatch.setattr(SimpleWorker, "work", work)  # the class circlebot worker runs (issue 31)
    result = CliRunner().invoke(main, ["worker"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert all(t is None or t > seen["blpop"] for t in seen["timeouts"]), seen


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_worker_ends_at_once_when_its_pubsub_thread_read_the_unsubscribe_first(backend):
    """RQ's teardown unsubscribes, then stops its pub/sub thread (``sleep_time=60``). If the thread read
    the reply before the stop, redis-py 8.2's ``stop()`` waited up to a minute for it (every
    ``circlebot worker`` and every ``--burst`` sometimes ended a minute late). Here the thread reads
    it first every time; the bound is a hang's, far below the minute."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    from bot.cli.processes import PromptUnsubscribe

    class Worker(PromptUnsubscribe, SimpleWorker):
        pass

    with Redis.from_url(backend["REDIS_URL"]) as redis:
        worker = Worker([Queue(backend["CIRCLEBOT_QUEUE"], connection=redis)], connection=redis)
        worker.subscribe()
        pubsub, unsubscribe = worker.pubsub, worker.pubsub.unsubscribe

        def and_the_thread_reads_the_reply(*args):
            sent = unsubscribe(*args)
            wait_until(lambda: not pubsub.subscribed, 5, what="the pub/sub thread reading the reply")
            return sent

        pubsub.unsubscribe = and_the_thread_reads_the_reply
        ending = threading.Thread(target=worker.unsubscribe, daemon=True)
        ending.start()
        ending.join(15)
        assert not ending.is_alive(), "the worker still waits for its pub/sub thread"
        assert not worker.pubsub_thread.is_alive()
