"""What a test that uses the `sas_mock` fixture looks like."""

import json

import pytest
from alibabacloud_sas20181203 import models
from alibabacloud_sas20181203.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config


@pytest.fixture
def client(sas_mock):
    return Client(Config(access_key_id="testid", access_key_secret="testsecret",
                         protocol="http", endpoint=sas_mock.endpoint))


def test_a_scan_runs_to_success(client, sas_mock):
    target = json.dumps([{"type": "uuid", "name": "web-1", "target": "0b9d5f7e-0000-4000-8000-000000000001"}])
    task_id = client.start_virus_scan_task(models.StartVirusScanTaskRequest(target_info=target)).body.scan_task_id
    request = models.DescribeScanTaskProgressRequest(task_id=task_id)
    assert client.describe_scan_task_progress(request).body.scan_task_progress == "init"
    sas_mock.advance("6s")
    assert client.describe_scan_task_progress(request).body.scan_task_progress == "Success"


def test_a_missing_permission_is_reported(client, sas_mock):
    sas_mock.admin("POST", "faults", {"match": {"action": "StartVirusScanTask"}, "error": "NoPermission"})
    with pytest.raises(ClientException) as raised:
        client.start_virus_scan_task(models.StartVirusScanTaskRequest(target_info='[{"type":"uuid","target":"x"}]'))
    assert raised.value.code == "NoPermission"
