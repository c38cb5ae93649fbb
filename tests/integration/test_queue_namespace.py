"""Issue 12 (12): two runs (or deployments) on one Redis database, each in its own namespace
(``CIRCLEBOT_QUEUE``), never share a job id, a pacing slot, a worker or a flush.

On the old code both queues mapped outbox row 1 to the job id ``outbox-1-0``: the second run's job
was taken for the first's (not queued), a worker of one ran the other's sends, and the test set-up's
FLUSHDB deleted the other run's jobs.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone

import pytest

from bot.outbound.pacing import RedisPacer
from bot.outbound.queue import RedisQueue, job_id
from bot.settings import Settings, SettingsError
from tests.conftest import BACKENDS, DEFAULT_REDIS
from tests.helpers import RUN_QUEUE, work_burst

RAN: list[str] = []


def record(tag: str) -> str:
    """The job both runs queue (imported by the worker by name)."""
    RAN.append(tag)
    return tag


@pytest.fixture
def pair():
    if "postgres" not in BACKENDS:
        pytest.skip("CIRCLEBOT_BACKENDS has no Redis backend")
    url = os.environ.get("CIRCLEBOT_TEST_REDIS", DEFAULT_REDIS)
    first, second = RedisQueue(url, f"{RUN_QUEUE}-a"), RedisQueue(url, f"{RUN_QUEUE}-b")
    for queue in (first, second):
        queue.clear()
    yield first, second
    for queue in (first, second):
        queue.clear()
        queue.redis.close()


def test_the_same_outbox_id_in_two_namespaces_is_two_jobs(pair):
    first, second = pair
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    for queue in pair:  # RESTART IDENTITY: both runs have an outbox row 1 and a row 2
        assert queue.enqueue(record, queue.namespace, key="outbox-1-0") is True
        assert queue.enqueue(record, queue.namespace, key="outbox-2-0", at=later) is True
        assert queue.enqueue(record, queue.namespace, key="outbox-1-0") is False  # its own duplicate only
    assert len(first.rq) == len(second.rq) == 1
    assert first.rq.job_ids == [f"{first.namespace}_outbox-1-0"]
    assert second.rq.scheduled_job_registry.get_job_ids() == [f"{second.namespace}_outbox-2-0"]


def test_clearing_one_namespace_leaves_the_other_alone(pair):
    first, second = pair
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    for queue in pair:
        queue.enqueue(record, queue.namespace, key="outbox-1-0")
        queue.enqueue(record, queue.namespace, key="outbox-2-0", at=later)
        RedisPacer(queue.redis, 1.0, queue.namespace).wait("+18165550100")
    assert first.clear() > 0
    assert len(first.rq) == 0 and first.rq.scheduled_job_registry.count == 0
    assert not list(first.redis.scan_iter(match=f"*{first.namespace}*"))
    assert second.rq.job_ids == [f"{second.namespace}_outbox-1-0"]
    assert second.rq.scheduled_job_registry.get_job_ids() == [f"{second.namespace}_outbox-2-0"]
    assert second.redis.exists(f"{second.namespace}:pace:+18165550100")


def test_a_worker_runs_only_its_own_namespace(pair):
    first, second = pair
    RAN.clear()
    for queue in pair:
        queue.enqueue(record, queue.namespace, key="outbox-1-0")
    work_burst(first.rq, first.redis)
    assert RAN == [first.namespace]
    assert second.rq.job_ids == [f"{second.namespace}_outbox-1-0"]


def test_pacing_slots_are_per_namespace(pair):
    first, second = pair
    paced = [RedisPacer(queue.redis, 0.5, queue.namespace) for queue in pair]  # 2 s between slots
    assert paced[0].wait("+18165550100") == 0
    assert paced[1].wait("+18165550100") == 0  # the other run's slot is not ours (2 s on the old code)


def test_job_ids_carry_the_namespace_and_only_rq_characters():
    ident = job_id("reminder:12:34", "circlebot-test-77-abc")
    assert ident == "circlebot-test-77-abc_reminder_12_34"
    assert re.fullmatch(r"[A-Za-z0-9_-]+", ident)


def test_the_namespace_is_a_setting():
    assert Settings.from_env(env={}).queue_name == "circlebot"
    assert Settings.from_env(env={"CIRCLEBOT_QUEUE": "kc-library-2"}).queue_name == "kc-library-2"
    for bad in ("a_b", "a:b", "a b", "x" * 49, "é"):
        with pytest.raises(SettingsError):
            Settings.from_env(env={"CIRCLEBOT_QUEUE": bad})


def test_telegram_pacing_keys_live_in_the_queue_namespace(pair):
    """Issue 22 (14): the Telegram flood-limit keys were ``circlebot:tgpace:…`` whatever ``CIRCLEBOT_QUEUE``."""
    from bot.outbound.channels.telegram import TelegramChannel

    first, second = pair
    # A bot id of this run's own: another run on the same Redis (DESIGN.md §8) has keys of its own under ``*tgpace*``.
    bot_id = str(900000000 + os.getpid() % 99999999)
    settings = Settings.from_env(
        env={"TELEGRAM_BOT_TOKEN": f"{bot_id}:test-token", "CIRCLEBOT_QUEUE": first.namespace, "REDIS_URL": "redis://x"}
    )
    channel = TelegramChannel(settings, first.redis, sleep=lambda _: None)
    with channel.pacer.turn("700123456"):
        pass
    mine = sorted(key.decode() for key in first.redis.scan_iter(match=f"*tgpace:{bot_id}:*"))
    assert mine and all(key.startswith(f"{first.namespace}:tgpace:{bot_id}:") for key in mine), mine
    assert not list(first.redis.scan_iter(match=f"circlebot:tgpace:{bot_id}:*"))
    first.clear()  # the namespace's clear takes them with it, the other run's stay
    assert not list(first.redis.scan_iter(match=f"{first.namespace}:tgpace:*"))
