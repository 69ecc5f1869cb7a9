"""HTTPS: the Tea Python SDK on its default `https` protocol against `--tls-self-signed`."""

from __future__ import annotations

import json
import subprocess
import sys

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


IGNORE_SSL = """
import asyncio, sys
from alibabacloud_sas20181203 import models
from alibabacloud_sas20181203.client import Client
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_util.models import RuntimeOptions

port, verify_first = int(sys.argv[1]), sys.argv[2] == "verify-first"
client = Client(Config(access_key_id="testid", access_key_secret="testsecret", endpoint=f"127.0.0.1:{port}"))
request = models.DescribeScanTaskProgressRequest(task_id=100003)
if verify_first:
    try:
        client.describe_scan_task_progress(request)
    except Exception:
        pass
runtime = RuntimeOptions(ignore_ssl=True)
print(client.describe_scan_task_progress_with_options(request, runtime).body.scan_task_progress)
answered = asyncio.run(client.describe_scan_task_progress_with_options_async(request, runtime))
print(answered.body.scan_task_progress)
"""


def run_ignore_ssl(port: int, mode: str, tmp_path) -> subprocess.CompletedProcess:
    # A fresh process each time: the SDK keeps connection pools per host and port for the process.
    script = tmp_path / "ignore_ssl.py"
    script.write_text(IGNORE_SSL, encoding="utf-8")
    return subprocess.run([sys.executable, str(script), str(port), mode], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)


def test_ignore_ssl_skips_verification_for_sync_and_async_calls(tls_mock, tmp_path):
    """What the README says of `RuntimeOptions(ignore_ssl=True)` with the pinned darabonba-core."""
    server, _ = tls_mock
    done = run_ignore_ssl(server.port, "fresh", tmp_path)
    assert done.returncode == 0 and done.stdout.split() == ["Success", "Success"], done.stderr


def test_ignore_ssl_fails_after_a_verifying_call_to_the_same_host_in_the_same_process(tls_mock, tmp_path):
    """The pinned darabonba-core 1.0.9 reuses the pool a verifying call opened, and refuses to turn its
    verification off: the README warns of it."""
    server, _ = tls_mock
    done = run_ignore_ssl(server.port, "verify-first", tmp_path)
    assert done.returncode != 0
    assert "Cannot set verify_mode to CERT_NONE when check_hostname is enabled" in done.stderr


def test_a_client_left_on_https_against_the_plain_port_is_named_in_the_log():
    server = MockServer("lenient")
    try:
        with pytest.raises(Exception, match="WRONG_VERSION_NUMBER|wrong version number"):
            tea_client(server.port).describe_scan_task_progress(models.DescribeScanTaskProgressRequest(task_id=100003))
        warning = [line for line in server.log_tail(200).splitlines() if "speaks TLS" in line]
        assert warning and "protocol='http'" in warning[0], server.log_tail()
    finally:
        server.stop()
