"""Flow-control limits through the official Python SDKs (Tea V3, Tea v2, legacy core), under both auth
modes: token buckets on the mock's manual clock, per account; a throttled call is a 400 `Throttling.User`
("Request was denied due to user flow control."), with `x-acs-retry-after` when the limit sets
`retryAfter`. Each task reports its poll cadence (`GET /__admin/tasks/{id}`)."""

from __future__ import annotations

from datetime import datetime

import pytest

from conftest import MAIN_ACCOUNT, OTHER_KEY, sdk_error
from sdk_clients import CLIENTS

TASK = 100001  # a fixture task of the main account
POLL = ("DescribeScanTaskProgress", {"TaskId": TASK})
THROTTLED_MESSAGE = "Request was denied due to user flow control."
TARGETS = '[{"type":"uuid","name":"web-1","target":"503201a7-14c6-4280-801b-1169ed420000"}]'


def assert_throttled(mock, err, limit: dict, action: str = POLL[0]):
    """The SDK saw 400 Throttling.User, and the journal blames `limit` for it under the same request id."""
    assert (err.status, err.code) == (400, "Throttling.User")
    assert THROTTLED_MESSAGE in err.message
    entry = mock.last_request(action)
    assert (entry["status"], entry["code"], entry["limitId"]) == (400, "Throttling.User", limit["id"])
    assert err.request_id == entry["requestId"]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- every client -----------------------------------------------------------------------------------


def test_a_limit_without_retry_after_is_the_sdks_plain_400_throttling_user_error(mock, sdk, rules):
    limit = rules.limit(action="DescribeScanTaskProgress", rate="1/s")

    sdk.call(*POLL)
    exc, err = sdk_error(sdk, 400, lambda: sdk.call(*POLL))

    assert_throttled(mock, err, limit)
    assert getattr(exc, "retry_after", None) is None
    assert rules.current("limits", limit["id"])["throttled"] == 1
    assert len(mock.journal(action=POLL[0])) == 2, "no SDK retried the throttled call by itself"


def test_after_the_clock_moves_on_a_throttled_call_passes_again(mock, sdk, rules):
    limit = rules.limit(action="DescribeScanTaskProgress", rate="2/s")  # burst 2, a token every 500 ms

    sdk.call(*POLL)
    sdk.call(*POLL)
    _, err = sdk_error(sdk, 400, lambda: sdk.call(*POLL))
    assert_throttled(mock, err, limit)

    mock.advance("499ms")
    sdk_error(sdk, 400, lambda: sdk.call(*POLL))
    mock.advance("1ms")
    assert sdk.call(*POLL)["ScanTaskProgress"]
    sdk_error(sdk, 400, lambda: sdk.call(*POLL))

    statuses = [e["status"] for e in mock.journal(action=POLL[0])]
    assert statuses == [200, 200, 400, 400, 200, 400]


def test_a_limit_on_every_action_shares_one_bucket_per_account(mock, connect, rules):
    limit = rules.limit(action="*", rate="1/s")
    mine, theirs = connect(), connect(*OTHER_KEY)

    mine.call("DescribeCloudCenterInstances")
    _, err = sdk_error(mine, 400, lambda: mine.call(*POLL))
    assert_throttled(mock, err, limit)

    # Another account has a bucket of its own.
    assert theirs.call("DescribeCloudCenterInstances")["Success"] is True
    sdk_error(theirs, 400, lambda: theirs.call("DescribeCloudCenterInstances"))


def test_a_limit_for_one_access_key_leaves_the_others_alone(mock, connect, rules):
    limit = rules.limit(action="DescribeCloudCenterInstances", accessKeyId=OTHER_KEY[0], rate="1/s")
    mine, theirs = connect(), connect(*OTHER_KEY)

    for _ in range(3):
        mine.call("DescribeCloudCenterInstances")
    theirs.call("DescribeCloudCenterInstances")
    _, err = sdk_error(theirs, 400, lambda: theirs.call("DescribeCloudCenterInstances"))

    assert_throttled(mock, err, limit, "DescribeCloudCenterInstances")
    assert mock.last_request("DescribeCloudCenterInstances")["accessKeyId"] == OTHER_KEY[0]


@pytest.mark.parametrize(
    "error,status,code,message",
    [
        ("ServiceUnavailable", 503, "ServiceUnavailable", "The request has failed due to a temporary failure"),
        ({"status": 429, "code": "TooManyRequests", "message": "slow down"}, 429, "TooManyRequests", "slow down"),
    ],
    ids=["catalog-code", "own-error"],
)
def test_a_limit_may_answer_with_another_error(mock, sdk, rules, error, status, code, message):
    limit = rules.limit(action="DescribeScanTaskProgress", rate="1/s", error=error)

    sdk.call(*POLL)
    _, err = sdk_error(sdk, status, lambda: sdk.call(*POLL))

    assert (err.status, err.code) == (status, code)
    assert message in err.message
    entry = mock.last_request(POLL[0])
    assert (entry["status"], entry["code"], entry["limitId"]) == (status, code, limit["id"])


def test_limits_apply_before_faults_so_a_throttled_call_spends_no_one_time_fault(mock, sdk, rules):
    limit = rules.limit(action="*", rate="1/s")
    fault = rules.fault(match={"action": "DescribeScanTaskProgress"}, error="ServerError", times=1)

    sdk.call("DescribeCloudCenterInstances")  # takes the bucket's only token
    _, err = sdk_error(sdk, 400, lambda: sdk.call(*POLL))
    assert_throttled(mock, err, limit)
    assert rules.current("faults", fault["id"])["fired"] == 0

    mock.advance("1s")
    _, err = sdk_error(sdk, 500, lambda: sdk.call(*POLL))
    assert err.code == "ServerError"
    mock.advance("1s")
    assert sdk.call(*POLL)["ScanTaskProgress"]


def test_a_task_reports_its_poll_cadence_on_the_mocks_clock_and_throttled_polls_do_not_count(mock, sdk, rules):
    task_id = sdk.start_scan(TARGETS)
    fresh = mock.task(task_id, accessKeyId="testid")
    assert (fresh["polls"], fresh["firstPoll"], fresh["lastPoll"], fresh["shortestPollIntervalMillis"]) == (
        0, None, None, None)
    rules.limit(action="DescribeScanTaskProgress", rate="1/s")

    sdk.progress(task_id)
    once = mock.task(task_id, accessKeyId="testid")
    assert once["polls"] == 1 and once["firstPoll"] == once["lastPoll"] is not None
    assert once["shortestPollIntervalMillis"] is None, "no interval before the second poll"

    mock.advance("1500ms")
    sdk.progress(task_id)
    sdk_error(sdk, 400, lambda: sdk.progress(task_id))  # too soon: throttled, not a poll
    mock.advance("1s")
    sdk.progress(task_id)

    task = mock.task(task_id, accessKeyId="testid")
    assert task["accountId"] == MAIN_ACCOUNT
    assert task["polls"] == 3
    assert task["shortestPollIntervalMillis"] == 1000
    assert (instant(task["lastPoll"]) - instant(task["firstPoll"])).total_seconds() == 2.5


# --- what each SDK makes of x-acs-retry-after ------------------------------------------------------


@pytest.fixture(params=["tea-v3", "tea-v2"])
def tea(request, mock):
    return CLIENTS[request.param](mock.port, "testid", "testsecret")


def test_with_retry_after_the_tea_sdk_raises_throttling_exception_carrying_it_in_milliseconds(mock, tea, rules):
    from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException

    limit = rules.limit(action="DescribeScanTaskProgress", rate="1/s", retryAfter="1500ms")

    tea.call(*POLL)
    with pytest.raises(ThrottlingException) as info:
        tea.call(*POLL)

    exc = info.value
    assert exc.retry_after == 1500
    assert not isinstance(exc, ClientException), "a ThrottlingException is not a ClientException"
    assert_throttled(mock, tea.read_error(exc), limit)
    assert exc.data["Code"] == "Throttling.User" and exc.data["statusCode"] == 400


def test_an_automatic_retry_after_tells_the_tea_sdk_when_the_next_token_comes(mock, tea, rules):
    from alibabacloud_tea_openapi.exceptions import ThrottlingException

    rules.limit(action="DescribeScanTaskProgress", rate="2/s", burst=1, retryAfter="auto")
    tea.call(*POLL)
    mock.advance("100ms")
    with pytest.raises(ThrottlingException) as info:
        tea.call(*POLL)
    assert info.value.retry_after == 400, "a token every 500 ms, 100 ms of them gone"
    mock.advance("400ms")
    tea.call(*POLL)


def test_with_retry_after_the_legacy_sdk_still_raises_its_plain_server_exception(mock, rules):
    from aliyunsdkcore.acs_exception.exceptions import ServerException

    legacy = CLIENTS["legacy"](mock.port, "testid", "testsecret")
    limit = rules.limit(action="DescribeScanTaskProgress", rate="1/s", retryAfter="1500ms")

    legacy.call(*POLL)
    with pytest.raises(ServerException) as info:
        legacy.call(*POLL)

    assert_throttled(mock, legacy.read_error(info.value), limit)
    assert len(mock.journal(action=POLL[0])) == 2, "its default retry policy leaves Sas alone"
