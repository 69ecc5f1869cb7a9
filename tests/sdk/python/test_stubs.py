"""Stubs through the official Python SDKs (Tea V3, Tea v2, legacy core), under both auth modes.

A stub (`POST /__admin/stubs`, or a fixture's `stubs`) answers any catalogued Sas action inside the real
envelope; an action with neither an emulation nor a stub is a 501 `NotImplemented`; every catalogued
action's parameters are validated first (400 `Missing<Name>`, 400 `InvalidParameter`)."""

from __future__ import annotations

import json

import pytest
from alibabacloud_sas20181203 import models

from conftest import OTHER_KEY, expect_sdk_error

WEB = "503201a7-14c6-4280-801b-1169ed420000"
DB = "7a8b9c0d-2e3f-4a5b-8c6d-000000000002"
GROUPS = {"Groups": [{"GroupId": 1001, "GroupName": "default", "GroupFlag": 1},
                     {"GroupId": 1002, "GroupName": "prod 中文 & co", "GroupFlag": 0}],
          "Count": 2}
# A JSON string with characters each SDK encodes differently on the wire (protocol.md §2.4).
CRITERIA = json.dumps([{"name": "instanceName", "value": "web-1 *(+)~"}], separators=(",", ":"))


def assert_journaled(mock, err, action: str, status: int, code: str):
    entry = mock.last_request(action)
    assert (entry["status"], entry["code"]) == (status, code)
    assert (err.status, err.code) == (status, code)
    assert err.request_id == entry["requestId"]
    return entry


# --- stubbed answers ---------------------------------------------------------------------------------


def test_the_fixture_stub_answers_describe_cloud_center_instances_with_web_1_and_db_1(mock, sdk):
    body = sdk.call("DescribeCloudCenterInstances", {"CurrentPage": 1, "PageSize": 20})

    assert [(i["InstanceName"], i["Uuid"]) for i in body["Instances"]] == [("web-1", WEB), ("db-1", DB)]
    assert body["PageInfo"] == {"Count": 2, "CurrentPage": 1, "PageSize": 20, "TotalCount": 2}
    assert body["Success"] is True
    entry = mock.last_request("DescribeCloudCenterInstances")
    assert entry["status"] == 200 and entry["stubId"] is not None
    assert body["RequestId"] == entry["requestId"], "the stub's answer comes inside the real envelope"


def test_a_stub_added_at_runtime_answers_only_the_call_whose_parameter_matches_exactly(mock, sdk, rules):
    only_web = {"Instances": [{"InstanceName": "web-1", "Uuid": WEB}],
                "PageInfo": {"Count": 1, "CurrentPage": 1, "PageSize": 20, "TotalCount": 1}, "Success": True}
    stub = rules.stub(action="DescribeCloudCenterInstances", match={"params": {"Criteria": CRITERIA}},
                      response=only_web)

    matched = sdk.call("DescribeCloudCenterInstances", {"Criteria": CRITERIA})
    unmatched = sdk.call("DescribeCloudCenterInstances", {"Criteria": CRITERIA.replace("web-1", "db-1")})

    assert [i["InstanceName"] for i in matched["Instances"]] == ["web-1"]
    assert matched["PageInfo"]["TotalCount"] == 1
    assert [i["InstanceName"] for i in unmatched["Instances"]] == ["web-1", "db-1"], "the fixture stub again"
    assert rules.current("stubs", stub["id"])["used"] == 1
    first, second = mock.journal(action="DescribeCloudCenterInstances")
    assert first["stubId"] == stub["id"] and second["stubId"] != stub["id"]


def test_a_stub_for_an_action_that_is_not_emulated_answers_it_with_the_stubbed_fields(mock, sdk, rules):
    rules.stub(action="DescribeAllGroups", response=GROUPS)

    body = sdk.call("DescribeAllGroups")

    assert body["Groups"] == GROUPS["Groups"] and body["Count"] == 2
    assert body["RequestId"] == mock.last_request("DescribeAllGroups")["requestId"]


def test_a_stub_with_times_1_answers_once_and_then_the_action_is_not_implemented(mock, sdk, rules):
    stub = rules.stub(action="DescribeAllGroups", response=GROUPS, times=1)

    assert sdk.call("DescribeAllGroups")["Count"] == 2
    err = expect_sdk_error(sdk, 501, lambda: sdk.call("DescribeAllGroups"))

    assert_journaled(mock, err, "DescribeAllGroups", 501, "NotImplemented")
    assert "DescribeAllGroups" in err.message
    assert rules.current("stubs", stub["id"])["used"] == 1


def test_a_one_shot_stub_over_the_fixture_stub_answers_once_then_the_fixture_stub_answers_again(sdk, rules):
    rules.stub(action="DescribeCloudCenterInstances", response={"Instances": [], "Success": False}, times=1)

    first = sdk.call("DescribeCloudCenterInstances")
    second = sdk.call("DescribeCloudCenterInstances")

    assert (first["Instances"], first["Success"]) == ([], False)
    assert [i["InstanceName"] for i in second["Instances"]] == ["web-1", "db-1"]


def test_the_most_recently_added_matching_stub_answers(sdk, rules):
    rules.stub(action="DescribeAllGroups", response={"Groups": [], "Count": 0})
    rules.stub(action="DescribeAllGroups", response=GROUPS)

    assert sdk.call("DescribeAllGroups")["Count"] == 2


def test_a_stub_for_another_access_key_leaves_this_one_not_implemented(mock, connect, rules):
    rules.stub(action="DescribeAllGroups", accessKeyId=OTHER_KEY[0], response=GROUPS)
    mine, theirs = connect(), connect(*OTHER_KEY)

    assert theirs.call("DescribeAllGroups")["Count"] == 2
    err = expect_sdk_error(mine, 501, lambda: mine.call("DescribeAllGroups"))
    assert_journaled(mock, err, "DescribeAllGroups", 501, "NotImplemented")


def test_a_stub_with_an_error_status_is_raised_as_that_error(mock, sdk, rules):
    stub = rules.stub(action="DescribeAllGroups", status=403,
               response={"Code": "NoPermission", "Message": "caller has no permission"})

    err = expect_sdk_error(sdk, 403, lambda: sdk.call("DescribeAllGroups"))

    assert (err.status, err.code) == (403, "NoPermission")
    assert "caller has no permission" in err.message
    entry = mock.last_request("DescribeAllGroups")
    assert (entry["status"], entry["code"], entry["stubId"]) == (403, "NoPermission", stub["id"])
    assert err.request_id == entry["requestId"]


# --- neither emulated nor stubbed ------------------------------------------------------------------


def test_an_action_with_neither_emulation_nor_stub_is_a_501_not_implemented_naming_it(mock, sdk):
    err = expect_sdk_error(sdk, 501, lambda: sdk.call("DescribeVersionConfig"))

    assert_journaled(mock, err, "DescribeVersionConfig", 501, "NotImplemented")
    # The message names the action and says how to stub it.
    assert "DescribeVersionConfig" in err.message
    assert "stub" in err.message and "/__admin/stubs" in err.message


# --- parameter validation (before any stub) -------------------------------------------------------


@pytest.mark.parametrize(
    "action,params,missing",
    [
        ("ListVirusScanMachine", {"PageSize": 20}, "CurrentPage"),
        ("ListVirusScanMachine", {"CurrentPage": 1}, "PageSize"),
        ("HandleSecurityEvents", {"SecurityEventIds.1": "1"}, "OperationCode"),
        ("HandleSecurityEvents", {"OperationCode": "ignore"}, "SecurityEventIds"),
    ],
    ids=["CurrentPage", "PageSize", "OperationCode", "SecurityEventIds"],
)
def test_a_missing_required_parameter_is_the_sdks_400_missing_name_error_even_with_a_stub(
        mock, sdk, rules, action, params, missing):
    stub = rules.stub(action=action, response={"Data": []})

    err = expect_sdk_error(sdk, 400, lambda: sdk.call(action, params))

    assert_journaled(mock, err, action, 400, f"Missing{missing}")
    assert f"{missing} is mandatory for this action." in err.message
    assert rules.current("stubs", stub["id"])["used"] == 0, "validation comes before the stub"


def test_a_parameter_of_the_wrong_type_is_the_sdks_400_invalid_parameter_error(mock, sdk):
    err = expect_sdk_error(sdk, 400, lambda: sdk.call("DescribeCloudCenterInstances", {"CurrentPage": "first"}))

    assert_journaled(mock, err, "DescribeCloudCenterInstances", 400, "InvalidParameter")
    assert "CurrentPage" in err.message


# --- the Tea SDK's typed models ------------------------------------------------------------------


@pytest.fixture(params=["tea-v3", "tea-v2"])
def tea(request, mock):
    from sdk_clients import CLIENTS

    return CLIENTS[request.param](mock.port, "testid", "testsecret").client


def test_stubbed_fields_arrive_typed_in_the_tea_models(tea, rules):
    rules.stub(action="DescribeAllGroups", response=GROUPS)

    instances = tea.describe_cloud_center_instances(
        models.DescribeCloudCenterInstancesRequest(current_page=1, page_size=20)).body
    groups = tea.describe_all_groups(models.DescribeAllGroupsRequest()).body

    assert isinstance(instances, models.DescribeCloudCenterInstancesResponseBody)
    assert instances.instances[0].instance_name == "web-1"
    assert [i.uuid for i in instances.instances] == [WEB, DB]
    assert instances.instances[0].group_id == 1001 and isinstance(instances.instances[0].group_id, int)
    assert (instances.page_info.total_count, instances.page_info.current_page) == (2, 1)
    assert instances.success is True
    assert [(g.group_id, g.group_name, g.group_flag) for g in groups.groups] == [
        (1001, "default", 1), (1002, "prod 中文 & co", 0)]
    assert groups.count == 2 and groups.request_id


def test_the_tea_sdk_raises_server_exception_not_implemented_for_an_unstubbed_action(mock, tea):
    from alibabacloud_tea_openapi.exceptions import ServerException

    with pytest.raises(ServerException) as info:
        tea.describe_all_groups(models.DescribeAllGroupsRequest())

    assert (info.value.status_code, info.value.code) == (501, "NotImplemented")
    assert info.value.request_id == mock.last_request("DescribeAllGroups")["requestId"]
