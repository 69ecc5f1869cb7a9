"""HTTPS: the Tea Python SDK on its default `https` protocol against `--tls-self-signed`."""

from __future__ import annotations

import json

import pytest
from alibabacloud_sas20181203 import models
from alibabacloud_sas20181203.client import Client
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_util.models import RuntimeOptions

from mockserver import MockServer

TARGET = [{"type": "uuid", "name": "host001", "target": "503201a7-14c6-4280-801b-1169ed420000"}]


@pytest.fixture(scope="module")
def tls_mock(tmp_path_factory):
    cert = tmp_path_factory.mktemp("tls") / "sas-mock.pem"
    server = MockServer("strict", ("--tls-self-signed", "--tls-cert-out", str(cert)), cafile=str(cert))
    yield server, str(cert)
    server.stop()


def tea_client(port: int, host: str = "127.0.0.1", **config) -> Client:
    # No `protocol`: the SDK's own default, HTTPS.
    return Client(Config(access_key_id="testid", access_key_secret="testsecret",
                         endpoint=f"{host}:{port}", **config))


def test_the_tea_sdk_on_https_trusting_the_written_certificate_walks_a_task(tls_mock):
    server, cert = tls_mock
    client = tea_client(server.port, ca=cert)
    started = client.start_virus_scan_task(models.StartVirusScanTaskRequest(target_info=json.dumps(TARGET)))
    task_id = started.body.scan_task_id
    assert isinstance(task_id, int)
    request = models.DescribeScanTaskProgressRequest(task_id=task_id)
    assert client.describe_scan_task_progress(request).body.scan_task_progress == "init"
    server.advance("1s")
    assert client.describe_scan_task_progress(request).body.scan_task_progress == "Processing"
    server.advance("5s")
    body = client.describe_scan_task_progress(request).body
    assert body.scan_task_progress == "Success"
    assert json.loads(body.target_info) == TARGET


def test_the_certificate_can_also_be_given_per_call(tls_mock):
    server, cert = tls_mock
    request = models.DescribeScanTaskProgressRequest(task_id=100003)
    body = tea_client(server.port).describe_scan_task_progress_with_options(request, RuntimeOptions(ca=cert)).body
    assert body.scan_task_progress == "Success"


def test_an_untrusted_certificate_is_refused_by_the_sdk(tls_mock):
    server, _ = tls_mock
    # Another host name than the other tests, so that no pooled, already-verified connection is reused.
    with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        tea_client(server.port, host="localhost").describe_scan_task_progress(models.DescribeScanTaskProgressRequest(task_id=100003))
