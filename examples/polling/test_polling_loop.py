"""Testing a polling loop's cadence and backoff against sas-mock, without sleeping: the loop's `sleep`
moves the mock's manual clock instead, and the mock reports how often the task was polled
(`GET /__admin/tasks/{id}`: polls, firstPoll, lastPoll, shortestPollIntervalMillis).

    pip install sas-mock alibabacloud-sas20181203 pytest && pytest examples/polling
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from alibabacloud_sas20181203 import models
from alibabacloud_sas20181203.client import Client

from polling import ScanTimeout, wait_for_scan

TARGET = json.dumps([{"type": "uuid", "name": "web-1", "target": "503201a7-14c6-4280-801b-1169ed420000"}])


class MockTime:
    """`sleep` and `clock` for the code under test, on the mock's manual clock: a sleep moves the
    mock's clock forward at once instead of waiting, so the scan's schedule advances with it."""

    def __init__(self, sas_mock):
        self.sas_mock = sas_mock
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.sas_mock.advance(f"{round(seconds * 1000)}ms")

    def clock(self) -> float:
        return self.sas_mock.now().timestamp()


@pytest.fixture
def client(sas_mock) -> Client:
    return Client(sas_mock.sdk_config())  # the mock's endpoint, plain HTTP, its default key


@pytest.fixture
def mock_time(sas_mock) -> MockTime:
    return MockTime(sas_mock)


def start_scan(client: Client) -> int:
    return client.start_virus_scan_task(models.StartVirusScanTaskRequest(target_info=TARGET)).body.scan_task_id


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_the_loop_polls_once_a_second_and_stops_right_after_success(client, sas_mock, mock_time):
    task_id = start_scan(client)  # the default schedule: 1 s of init, 5 s of Processing, then Success

    assert wait_for_scan(client, task_id, sleep=mock_time.sleep, clock=mock_time.clock) == "Success"

    task = sas_mock.task(task_id)
    assert task["shortestPollIntervalMillis"] == 1000
    assert task["polls"] == 7, "polls at 0, 1, ... 6 s: the one that saw Success is the last"
    assert at(task["lastPoll"]) - at(task["firstPoll"]) == timedelta(seconds=6)
    assert mock_time.slept == [1.0] * 6
    assert len(sas_mock.requests(action="DescribeScanTaskProgress")) == 7


def test_a_throttled_poll_waits_out_retry_after_and_polling_never_gets_faster_than_the_limit(
        client, sas_mock, mock_time):
    # One request a second for the whole account, and throttled answers say: retry in 1.5 s.
    limit = sas_mock.admin("POST", "limits", {"action": "*", "rate": "1/s", "retryAfter": "1500ms"})
    task_id = start_scan(client)  # takes this second's token: the first poll, right after, is throttled

    assert wait_for_scan(client, task_id, sleep=mock_time.sleep, clock=mock_time.clock) == "Success"

    polls = sas_mock.requests(action="DescribeScanTaskProgress")
    throttled = [p for p in polls if p["status"] != 200]
    assert [(p["status"], p["code"], p["limitId"]) for p in throttled] == [(400, "Throttling.User", limit["id"])]
    assert polls[0] == throttled[0], "the first poll is the throttled one"
    assert at(polls[1]["time"]) - at(polls[0]["time"]) == timedelta(milliseconds=1500), "retry_after honoured"
    assert mock_time.slept[0] == 1.5

    task = sas_mock.task(task_id)
    assert task["shortestPollIntervalMillis"] >= 1000
    assert at(task["firstPoll"]) - at(task["createdAt"]) == timedelta(milliseconds=1500)
    assert task["polls"] == 6, "1.5, 2.5, ... 6.5 s: throttled polls do not count, none after Success"
    assert task["progress"] == "Success"


def test_the_loop_gives_up_at_its_deadline_without_sleeping_past_it(client, sas_mock, mock_time):
    task_id = 700700
    sas_mock.create_task(taskId=task_id, accessKeyId=sas_mock.access_key_id,
                         schedule={"init": "1s", "processing": "1h", "outcome": "Success"})
    started = sas_mock.now()

    with pytest.raises(ScanTimeout) as raised:
        wait_for_scan(client, task_id, timeout=10, sleep=mock_time.sleep, clock=mock_time.clock)

    assert raised.value.last_progress == "Processing"
    assert sas_mock.now() - started == timedelta(seconds=10)
    task = sas_mock.task(task_id)
    assert task["polls"] == 11 and task["shortestPollIntervalMillis"] == 1000
