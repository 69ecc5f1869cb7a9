"""What a test suite looks like with the sas-mock pytest plugin: `pip install sas-mock` gives every
test a `sas_mock` fixture (a running server, reset before the test) with no conftest.py at all.

    pip install sas-mock alibabacloud-sas20181203 pytest && pytest examples/pytest
"""

import json

import pytest
from alibabacloud_sas20181203 import models
from alibabacloud_sas20181203.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config

TARGET = json.dumps([{"type": "uuid", "name": "web-1", "target": "0b9d5f7e-0000-4000-8000-000000000001"}])


@pytest.fixture
def client(sas_mock):
    # What production code builds, with the mock's endpoint and plain HTTP.
    return Client(Config(access_key_id=sas_mock.access_key_id, access_key_secret=sas_mock.access_key_secret,
                         protocol="http", endpoint=sas_mock.endpoint))


def test_a_scan_runs_to_success(client, sas_mock):
    task_id = client.start_virus_scan_task(models.StartVirusScanTaskRequest(target_info=TARGET)).body.scan_task_id
    request = models.DescribeScanTaskProgressRequest(task_id=task_id)
    assert client.describe_scan_task_progress(request).body.scan_task_progress == "init"
    sas_mock.advance("1s")
    assert client.describe_scan_task_progress(request).body.scan_task_progress == "Processing"
    sas_mock.advance("5s")  # the default schedule: 1 s of init, 5 s of Processing
    assert client.describe_scan_task_progress(request).body.scan_task_progress == "Success"


def test_a_missing_permission_is_a_client_exception(client, sas_mock):
    sas_mock.add_fault(match={"action": "StartVirusScanTask"}, error="NoPermission")
    with pytest.raises(ClientException) as raised:
        client.start_virus_scan_task(models.StartVirusScanTaskRequest(target_info=TARGET))
    assert raised.value.code == "NoPermission"
    assert raised.value.status_code == 403
    assert sas_mock.requests(action="StartVirusScanTask")[0]["status"] == 403


def test_the_fault_of_the_last_test_is_gone(client, sas_mock):
    # The fixture resets the server before every test: no fault rule, no task, no journal is left over.
    assert client.start_virus_scan_task(models.StartVirusScanTaskRequest(target_info=TARGET)).body.scan_task_id


FAILING = {"schedule": {"init": {"polls": 1}, "processing": {"polls": 1}, "outcome": "Failed"}}


@pytest.mark.sas_mock(fixtures=FAILING)  # this test's own server: every new scan fails after two polls
def test_a_scan_that_fails(client):
    task_id = client.start_virus_scan_task(models.StartVirusScanTaskRequest(target_info=TARGET)).body.scan_task_id
    request = models.DescribeScanTaskProgressRequest(task_id=task_id)
    progress = [client.describe_scan_task_progress(request).body.scan_task_progress for _ in range(3)]
    assert progress == ["init", "Processing", "Failed"]
