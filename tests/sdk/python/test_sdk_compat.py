"""The official Python SDKs against sas-mock: every test runs per auth mode and client configuration."""

from __future__ import annotations

import json

import pytest

from conftest import (
    MAIN_ACCOUNT, OTHER_ACCOUNT, OTHER_KEY, READONLY_KEY, STS_KEY, STS_TOKEN, expect_sdk_error,
)

PLAIN_TARGETS = [{"type": "uuid", "name": "host001", "target": "503201a7-14c6-4280-801b-1169ed420000"}]
AWKWARD_NAME = "host 001*~/+!'()é中"
AWKWARD_TARGET = "a&b=c;%20:@,$?#"


def target_info(entries) -> str:
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":"))


def assert_error_matches_journal(mock, err, action: str, status: int, code: str, message: str):
    entry = mock.last_request(action)
    assert (entry["status"], entry["code"]) == (status, code)
    assert err.status == status
    assert err.code == code
    assert message in err.message
    assert err.request_id, "the SDK exposes no request id"
    assert err.request_id == entry["requestId"]


# --- success paths ------------------------------------------------------------------------------


def test_starting_a_scan_returns_an_integer_task_id(mock, sdk):
    task_id = sdk.start_scan(target_info(PLAIN_TARGETS))

    assert isinstance(task_id, int) and not isinstance(task_id, bool)
    assert task_id > 0
    entry = mock.last_request("StartVirusScanTask")
    assert (entry["status"], entry["accessKeyId"], entry["accountId"]) == (200, "testid", MAIN_ACCOUNT)
    assert task_id in [t["taskId"] for t in mock.tasks(accessKeyId="testid")]


def test_a_started_scan_goes_from_init_to_processing_to_success_as_the_clock_advances(mock, sdk):
    sent = target_info(PLAIN_TARGETS)
    task_id = sdk.start_scan(sent)

    first = sdk.progress(task_id)
    assert first.progress == "init"
    assert json.loads(first.target_info) == PLAIN_TARGETS
    assert first.request_id == mock.last_request("DescribeScanTaskProgress")["requestId"]

    mock.advance("1s")
    assert sdk.progress(task_id).progress == "Processing"

    mock.advance("5s")
    done = sdk.progress(task_id)
    assert done.progress == "Success"
    assert json.loads(done.target_info) == PLAIN_TARGETS


def test_a_task_on_a_poll_schedule_goes_from_init_to_processing_to_failed(mock, sdk):
    task_id = 700001
    mock.create_task(
        taskId=task_id,
        accessKeyId="testid",
        schedule={"init": {"polls": 1}, "processing": {"polls": 1}, "outcome": "Failed"},
    )

    seen = [sdk.progress(task_id).progress for _ in range(4)]

    assert seen == ["init", "Processing", "Failed", "Failed"]


# --- documented errors --------------------------------------------------------------------------


def test_task_403403_is_refused_with_no_permission(mock, sdk):
    err = expect_sdk_error(sdk, 403, lambda: sdk.progress(403403))
    assert_error_matches_journal(mock, err, "DescribeScanTaskProgress", 403, "NoPermission", "caller has no permission")


def test_task_500500_fails_with_server_error(mock, sdk):
    err = expect_sdk_error(sdk, 500, lambda: sdk.progress(500500))
    assert_error_matches_journal(mock, err, "DescribeScanTaskProgress", 500, "ServerError", "ServerError")


@pytest.mark.parametrize(
    "code,status,message",
    [("NoPermission", 403, "caller has no permission"), ("ServerError", 500, "ServerError")],
    ids=["no-permission", "server-error"],
)
def test_a_one_shot_fault_fails_one_poll_and_the_next_poll_succeeds(mock, sdk, code, status, message):
    task_id = sdk.start_scan(target_info(PLAIN_TARGETS))
    mock.add_fault(match={"action": "DescribeScanTaskProgress", "taskId": task_id}, error=code, times=1)

    err = expect_sdk_error(sdk, status, lambda: sdk.progress(task_id))
    assert_error_matches_journal(mock, err, "DescribeScanTaskProgress", status, code, message)

    assert sdk.progress(task_id).progress == "init"


def test_a_read_only_key_may_poll_but_may_not_start_scans(mock, connect):
    readonly = connect(*READONLY_KEY)

    assert readonly.progress(100003).progress == "Success"

    err = expect_sdk_error(readonly, 403, lambda: readonly.start_scan(target_info(PLAIN_TARGETS)))
    assert_error_matches_journal(mock, err, "StartVirusScanTask", 403, "NoPermission", "caller has no permission")


# --- authentication (needs signature verification in the server) --------------------------------


def test_a_wrong_secret_is_reported_as_the_sdks_signature_error(mock, connect):
    impostor = connect("testid", "not-the-secret")

    err = expect_sdk_error(impostor, 400, lambda: impostor.progress(100001))

    assert err.status == 400
    assert err.code == impostor.signature_error_code
    assert impostor.signature_error_message in err.message
    entry = mock.last_request("DescribeScanTaskProgress")
    assert (entry["status"], entry["code"]) == (400, "SignatureDoesNotMatch")
    assert err.request_id == entry["requestId"]


def test_an_sts_key_is_accepted_with_its_token_and_refused_with_another(mock, connect):
    sts = connect(*STS_KEY, token=STS_TOKEN)

    task_id = sts.start_scan(target_info(PLAIN_TARGETS))
    entry = mock.last_request("StartVirusScanTask")
    assert (entry["status"], entry["accessKeyId"], entry["accountId"]) == (200, "STS.testid", MAIN_ACCOUNT)
    assert sts.progress(task_id).progress == "init"

    forged = connect(*STS_KEY, token="not-the-token")
    err = expect_sdk_error(forged, 400, lambda: forged.progress(task_id))
    assert_error_matches_journal(
        mock, err, "DescribeScanTaskProgress", 400, "InvalidSecurityToken.MismatchWithAccessKey",
        "Specified SecurityToken mismatch with the AccessKey.",
    )


def test_an_unknown_access_key_is_refused_when_strict_and_gets_its_own_account_when_lenient(mock, connect):
    stranger = connect("stranger-id", "stranger-secret")

    if mock.auth == "strict":
        err = expect_sdk_error(stranger, 404, lambda: stranger.start_scan(target_info(PLAIN_TARGETS)))
        assert_error_matches_journal(
            mock, err, "StartVirusScanTask", 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."
        )
    else:
        task_id = stranger.start_scan(target_info(PLAIN_TARGETS))
        entry = mock.last_request("StartVirusScanTask")
        assert entry["status"] == 200
        assert entry["accessKeyId"] == "stranger-id"
        assert entry["accountId"] not in (MAIN_ACCOUNT, OTHER_ACCOUNT)
        assert task_id not in [t["taskId"] for t in mock.tasks(accessKeyId="testid")]


# --- data fidelity and isolation ----------------------------------------------------------------


def test_awkward_characters_in_target_info_come_back_exactly(mock, sdk):
    entries = [
        {"type": "uuid", "name": AWKWARD_NAME, "target": AWKWARD_TARGET},
        {"type": "groupId", "name": AWKWARD_TARGET, "target": AWKWARD_NAME},
    ]

    task_id = sdk.start_scan(target_info(entries))
    seen = sdk.progress(task_id)

    assert json.loads(seen.target_info) == entries
    stored = [t for t in mock.tasks(accessKeyId="testid") if t["taskId"] == task_id]
    assert len(stored) == 1 and json.loads(stored[0]["targetInfo"]) == entries


def test_a_task_started_by_one_account_is_not_visible_to_another(mock, sdk, connect):
    task_id = sdk.start_scan(target_info(PLAIN_TARGETS))
    assert task_id not in [t["taskId"] for t in mock.tasks(accessKeyId="otherid")]

    other = connect(*OTHER_KEY)
    theirs = other.progress(task_id)

    # The other account gets a task of its own under the same id (--unknown-tasks create), never ours.
    entry = mock.last_request("DescribeScanTaskProgress")
    assert (entry["accessKeyId"], entry["accountId"]) == ("otherid", OTHER_ACCOUNT)
    assert json.loads(theirs.target_info) != PLAIN_TARGETS
    mine = [t for t in mock.tasks(accessKeyId="testid") if t["taskId"] == task_id]
    assert len(mine) == 1 and mine[0]["polls"] == 0 and mine[0]["accountId"] == MAIN_ACCOUNT
    copies = [t for t in mock.tasks(accessKeyId="otherid") if t["taskId"] == task_id]
    assert len(copies) == 1 and copies[0]["accountId"] == OTHER_ACCOUNT
