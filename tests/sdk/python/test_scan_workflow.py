"""The virus-scan workflow through the Tea Python SDK (V3 and v2 signing), under both auth modes: the
older flow (start, poll, DescribeSuspEvents, HandleSecurityEvents), the newer flow
(CreateVirusScanOnceTask through OperateVirusEvents), a V3-signed POST whose form body is signed, and
every new operation's raw JSON checked field by field against the SDK's response model."""

from __future__ import annotations

import json

import pytest
from alibabacloud_sas20181203 import models
from alibabacloud_sas20181203.client import Client
from alibabacloud_tea_openapi import utils_models
from alibabacloud_tea_openapi.utils import Utils
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions

from conftest import MAIN_KEY
from model_check import check_against_model, model_for

# The default fixtures' machines: web-1 with two findings (serious, suspicious), db-1 clean.
WEB = "503201a7-14c6-4280-801b-1169ed420000"
DB = "7a8b9c0d-2e3f-4a5b-8c6d-000000000002"


@pytest.fixture(params=["tea-v3", "tea-v2"])
def tea(request, mock) -> Client:
    config = Config(access_key_id=MAIN_KEY[0], access_key_secret=MAIN_KEY[1], protocol="http",
                    endpoint=f"127.0.0.1:{mock.port}")
    if request.param == "tea-v2":
        config.signature_algorithm = "v2"
    return Client(config)


def raw(client: Client, action: str, **query) -> dict:
    """The answer's JSON as it came, through the SDK's own signing and transport (no model mapping)."""
    params = utils_models.Params(action=action, version="2018-12-03", protocol="HTTPS", pathname="/",
                                 method="POST", auth_type="AK", style="RPC", req_body_type="formData",
                                 body_type="json")
    request = utils_models.OpenApiRequest(query=Utils.query(query))
    return client.call_api(params, request, RuntimeOptions())["body"]


def start_web_scan(tea: Client) -> int:
    targets = json.dumps([{"type": "uuid", "name": "web-1", "target": WEB}])
    started = tea.start_virus_scan_task(models.StartVirusScanTaskRequest(target_info=targets))
    return started.body.scan_task_id


def poll_until_final(tea: Client, mock, task_id: int) -> list[str]:
    """Polls once a (mock) second until the scan ends; returns every progress seen."""
    seen = []
    for _ in range(20):
        seen.append(tea.describe_scan_task_progress(
            models.DescribeScanTaskProgressRequest(task_id=task_id)).body.scan_task_progress)
        if seen[-1] in ("Success", "Failed"):
            break
        mock.advance("1s")
    return seen


def pending_on_web(tea: Client):
    request = models.DescribeSuspEventsRequest(uuids=WEB, dealed="N", current_page="1", page_size="20")
    return tea.describe_susp_events(request).body


def test_the_older_flow_finds_the_seeded_findings_and_ignoring_one_takes_it_off_the_pending_list(mock, tea):
    task_id = start_web_scan(tea)
    assert pending_on_web(tea).total_count == 0, "nothing is raised before the scan ends"

    seen = poll_until_final(tea, mock, task_id)
    assert (seen[0], seen[-1]) == ("init", "Success") and "Processing" in seen

    found = pending_on_web(tea)
    assert (found.total_count, found.count, found.current_page, found.page_size) == (2, 2, 1, 20)
    assert {e.uuid for e in found.susp_events} == {WEB}
    assert {e.level for e in found.susp_events} == {"serious", "suspicious"}
    assert all(e.event_status == 1 and e.instance_name == "web-1" for e in found.susp_events)
    trojan = next(e for e in found.susp_events if e.level == "serious")
    assert trojan.name == "Trojan:Linux/Mirai.B"

    handled = tea.handle_security_events(models.HandleSecurityEventsRequest(
        security_event_ids=[trojan.security_event_ids], operation_code="ignore"))
    assert isinstance(handled.body.handle_security_events_response.task_id, int)

    left = pending_on_web(tea)
    assert left.total_count == 1
    assert trojan.id not in [e.id for e in left.susp_events]
    dealt = tea.describe_susp_events(models.DescribeSuspEventsRequest(uuids=WEB, dealed="Y")).body
    assert [(e.id, e.event_status) for e in dealt.susp_events] == [(trojan.id, 2)]


def latest_statistic(tea: Client):
    return tea.get_virus_scan_latest_task_statistic().body.data


def test_the_newer_flow_runs_a_once_task_to_100_and_operates_what_it_found(mock, tea):
    tea.create_virus_scan_once_task(models.CreateVirusScanOnceTaskRequest(scan_type="system"))
    first = latest_statistic(tea)
    assert (first.status, first.progress, first.scan_machine) == (0, "0", 2)
    assert len(first.task_id) == 32
    mock.advance("3s")
    running = latest_statistic(tea)
    assert (running.status, running.progress) == (10, "40")
    mock.advance("3s")
    done = latest_statistic(tea)
    assert (done.status, done.progress, done.complete_machine, done.suspicious_count) == (100, "100", 2, 2)
    assert (done.suspicious_machine, done.safe_machine, done.risk_level) == (1, 1, "high")

    tasks = tea.list_virus_scan_task(models.ListVirusScanTaskRequest(
        root_task_id=first.task_id, current_page=1, page_size=20)).body
    assert tasks.page_info.total_count == 2
    assert [(t.uuid, t.status, t.progress) for t in tasks.list] == [(WEB, 2, 100), (DB, 2, 100)]

    machines = tea.list_virus_scan_machine(models.ListVirusScanMachineRequest(current_page=1, page_size=20)).body
    assert [(m.uuid, m.event_count) for m in machines.data] == [(WEB, 2)]
    events = tea.list_virus_scan_machine_event(models.ListVirusScanMachineEventRequest(
        uuid=WEB, current_page=1, page_size=20)).body
    assert sorted(e.level for e in events.data) == ["serious", "suspicious"]
    assert events.data[0].details[0].name_display == "File path"

    operated = tea.operate_virus_events(models.OperateVirusEventsRequest(
        operation_code="ignore", operation_all=0,
        operation_range=json.dumps([{"type": "machine", "list": [WEB]}])))
    touched = tea.list_virus_scan_machine_event(models.ListVirusScanMachineEventRequest(
        operate_task_id=str(operated.body.task_id), current_page=1, page_size=20)).body
    assert sorted(e.event_id for e in touched.data) == sorted(e.event_id for e in events.data)
    after = tea.list_virus_scan_machine(models.ListVirusScanMachineRequest(current_page=1, page_size=20)).body
    assert after.page_info.total_count == 0


def test_a_signed_post_with_a_form_body_verifies_the_v3_one_hashing_that_body(mock, tea):
    # DescribeSuspEvents is the one operation here that sends a parameter (TacticId) in the form
    # body, so the V3 signature covers x-acs-content-sha256 of a non-empty body.
    body = tea.describe_susp_events(models.DescribeSuspEventsRequest(
        tactic_id="TA0002", current_page="1", page_size="10")).body
    assert body.total_count == 0
    entry = mock.last_request("DescribeSuspEvents")
    assert entry["status"] == 200
    assert entry["scheme"] == ("v3" if tea._signature_algorithm != "v2" else "v2")
    assert ["TacticId", "TA0002"] in entry["params"]


def scenario(tea: Client, mock) -> dict:
    """Both flows run far enough that every list in every answer has items; returns ids to use."""
    poll_until_final(tea, mock, start_web_scan(tea))
    tea.create_virus_scan_once_task(models.CreateVirusScanOnceTaskRequest(scan_type="user", scan_path=["/tmp"]))
    mock.advance("6s")
    root = latest_statistic(tea).task_id
    events = pending_on_web(tea).susp_events
    return {"root": root, "event": events[0].security_event_ids}


def test_every_new_operation_answers_exactly_the_fields_and_types_of_its_sdk_model(mock, tea):
    empty = {action: raw(tea, action) for action in ("DescribeLatestScanTask", "GetVirusScanLatestTaskStatistic")}
    ids = scenario(tea, mock)
    page = {"CurrentPage": 1, "PageSize": 20}
    calls = [
        ("DescribeLatestScanTask", {}),
        ("DescribeScanTaskStatistics", {"Levels": "serious,suspicious"}),
        ("DescribeSuspEvents", {"CurrentPage": "1", "PageSize": "20", "Uuids": WEB}),
        ("GetVirusScanLatestTaskStatistic", {}),
        ("ListVirusScanTask", {**page, "RootTaskId": ids["root"]}),
        ("ListVirusScanMachine", page),
        ("ListVirusScanMachineEvent", {**page, "Uuid": WEB}),
        ("HandleSecurityEvents", {"OperationCode": "ignore", "SecurityEventIds": [ids["event"]]}),
        ("OperateVirusEvents", {"OperationCode": "default", "OperationAll": 1}),
        ("CreateVirusScanOnceTask", {"ScanType": "system"}),
    ]
    answers = {action: raw(tea, action, **query) for action, query in calls}
    for action, body in [*answers.items(), *((f"{a} (before any scan)", b) for a, b in empty.items())]:
        problems = check_against_model(body, model_for(action.split(" ")[0]))
        assert problems == [], f"{action}:\n" + "\n".join(problems)
    # The walk reaches into list items only if there are some.
    assert len(answers["DescribeSuspEvents"]["SuspEvents"][0]) == 58
    assert answers["DescribeSuspEvents"]["SuspEvents"][0]["Details"]
    assert answers["ListVirusScanTask"]["List"] and answers["ListVirusScanMachine"]["Data"]
    assert answers["ListVirusScanMachineEvent"]["Data"][0]["Details"]
    assert answers["DescribeLatestScanTask"]["Uuids"] == [WEB]
