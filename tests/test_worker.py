"""The job queue is real: a worker process (``zhili worker``) takes jobs from the database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule, Success
from django_q.tasks import async_task

from zhili.jobs import periodic_jobs, schedules_sync


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(transactional_db: Any) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "DATABASE_URL": _database_url(), "ZHILI_QUEUE_WORKERS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "zhili.cli", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    yield proc
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def test_it_runs_a_queued_job_in_the_worker_process(worker: subprocess.Popen[bytes]) -> None:
    async_task("zhili.cases.tasks.rectification_sweep", task_name="test-sweep")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = Success.objects.filter(name="test-sweep").first()
        if done is not None:
            break
        assert worker.poll() is None, worker.stdout.read().decode() if worker.stdout else ""
        time.sleep(0.5)
    else:
        pytest.fail("the worker did not run the job within 60 s")
    assert done.result == 0
    assert Schedule.objects.filter(func="zhili.cases.tasks.deadline_sweep").exists()


def test_it_schedules_every_periodic_job_once(db: Any) -> None:
    assert schedules_sync() == len(periodic_jobs())
    schedules_sync()
    assert Schedule.objects.count() == len(periodic_jobs())
    sweep = Schedule.objects.get(func="zhili.cases.tasks.deadline_sweep")
    assert sweep.schedule_type == Schedule.MINUTES and sweep.repeats == -1
    assert sweep.next_run <= timezone.now() + timedelta(minutes=1)
