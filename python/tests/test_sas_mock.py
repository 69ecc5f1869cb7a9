"""SasMock: starting and stopping the bundled binary, and the admin API methods."""

import datetime as dt
import json
import os
import sys
import time
import urllib.error
import urllib.request

import pytest

import sas_mock
from sas_mock import SasMock, SasMockError, SasMockStartError

from conftest import alive, rpc

BAD_FIXTURE = {"tasks": [{"taskId": 1, "schedule": {"processing": "soon"}}]}


def test_the_server_starts_on_a_free_loopback_port_and_stops_with_the_block():
    with SasMock() as mock:
        assert mock.endpoint == f"127.0.0.1:{mock.port}" and mock.port > 0
        assert mock.url == f"http://{mock.endpoint}"
        assert mock.health()["status"] == "ok"
        assert mock.clock()["mode"] == "manual"
        pid = mock.pid
        assert alive(pid)
    assert not alive(pid)
    assert mock.returncode == 0  # SIGTERM: a graceful exit


def test_two_servers_get_two_ports():
    with SasMock() as one, SasMock() as two:
        assert one.port != two.port


def test_the_default_credentials_are_the_default_fixtures_key():
    with SasMock() as mock:
        assert (mock.access_key_id, mock.access_key_secret) == ("testid", "testsecret")
        assert (sas_mock.DEFAULT_ACCESS_KEY_ID, sas_mock.DEFAULT_ACCESS_KEY_SECRET) == ("testid", "testsecret")


def test_a_bad_fixture_dict_raises_with_the_json_path_and_no_process_is_left():
    with pytest.raises(SasMockStartError) as raised:
        SasMock(BAD_FIXTURE).start()
    error = raised.value
    assert "tasks[0].schedule.processing" in str(error)
    assert "fixtures[0] (a dict)" in error.output  # not the temporary file's name
    assert error.returncode == 2
    assert error.code == "StartFailed"


def test_a_bad_fixture_file_raises_naming_the_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(BAD_FIXTURE))
    with pytest.raises(SasMockStartError, match=r"broken\.json: tasks\[0\]\.schedule\.processing"):
        with SasMock(str(path)):
            pass


def test_fixtures_as_a_dict_define_tasks_and_credentials():
    fixtures = {"accounts": [{"accessKeyId": "k1", "accessKeySecret": "s1", "accountId": "42"}],
                "tasks": [{"taskId": 9001, "accessKeyId": "k1", "progress": "Success"}]}
    with SasMock(fixtures) as mock:
        assert (mock.access_key_id, mock.access_key_secret) == ("k1", "s1")
        assert [(t["taskId"], t["accountId"], t["progress"]) for t in mock.tasks()] == [(9001, "42", "Success")]


def test_fixtures_from_paths_and_dicts_merge_in_order(tmp_path):
    first = tmp_path / "first.json"
    first.write_text(json.dumps({"tasks": [{"taskId": 7, "accountId": "1", "progress": "init"}]}))
    with SasMock([first, {"tasks": [{"taskId": 7, "accountId": "1", "progress": "Failed"}]}]) as mock:
        assert mock.task(7)["progress"] == "Failed"


def test_the_manual_clock_advances_and_is_set():
    with SasMock() as mock:
        start = mock.now()
        assert abs((start - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 60
        mock.advance("5s")
        mock.advance(1.5)
        mock.advance(dt.timedelta(milliseconds=250))
        assert (mock.now() - start) == dt.timedelta(seconds=6.75)
        assert mock.set_time("2030-01-02T03:04:05Z")["now"] == "2030-01-02T03:04:05Z"
        mock.set_time(dt.datetime(2031, 1, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=8))))
        assert mock.clock()["now"] == "2031-01-01T00:00:00Z"


def test_a_scan_runs_through_its_schedule_as_the_clock_moves():
    with SasMock() as mock:
        status, body = rpc(mock, Action="StartVirusScanTask",
                           TargetInfo='[{"type":"uuid","name":"h","target":"t"}]')
        assert status == 200
        task_id = body["ScanTaskId"]
        assert rpc(mock, Action="DescribeScanTaskProgress", TaskId=task_id)[1]["ScanTaskProgress"] == "init"
        mock.advance("6s")
        assert rpc(mock, Action="DescribeScanTaskProgress", TaskId=task_id)[1]["ScanTaskProgress"] == "Success"
        assert mock.task(task_id)["progress"] == "Success"


def test_admin_errors_raise_with_the_servers_code_and_message():
    with SasMock(clock="system") as mock:
        with pytest.raises(SasMockError) as raised:
            mock.advance("1s")
        assert (raised.value.code, raised.value.status) == ("ClockNotManual", 409)
        assert raised.value.request_id
        with pytest.raises(SasMockError) as raised:
            mock.load_fixtures(BAD_FIXTURE)
        assert raised.value.code == "InvalidFixture"
        assert "tasks[0].schedule.processing" in raised.value.message


def test_faults_are_added_listed_fired_and_removed():
    with SasMock() as mock:
        rule = mock.add_fault(match={"action": "DescribeScanTaskProgress"}, error="ServerError", times=1)
        assert rule["id"] in [f["id"] for f in mock.faults()]
        assert rpc(mock, Action="DescribeScanTaskProgress", TaskId=100001)[0] == 500
        assert rpc(mock, Action="DescribeScanTaskProgress", TaskId=100001)[0] == 200
        forbidden = mock.add_fault({"match": {"action": "*"}, "error": "NoPermission"})
        assert rpc(mock, Action="DescribeScanTaskProgress", TaskId=100001)[0] == 403
        mock.remove_fault(forbidden["id"])
        assert rpc(mock, Action="DescribeScanTaskProgress", TaskId=100001)[0] == 200
        mock.clear_faults()
        assert mock.faults() == []


def test_the_journal_lists_requests_and_filters_them():
    with SasMock() as mock:
        rpc(mock, Action="DescribeScanTaskProgress", TaskId=100003)
        rpc(mock, Action="StartVirusScanTask", TargetInfo='[{"type":"uuid","name":"h","target":"t"}]')
        assert [r["action"] for r in mock.requests()] == ["DescribeScanTaskProgress", "StartVirusScanTask"]
        assert [r["taskId"] for r in mock.requests(action="DescribeScanTaskProgress")] == [100003]
        assert len(mock.requests(limit=1)) == 1
        mock.clear_requests()
        assert mock.requests() == []


def test_stubs_answer_until_used_up_and_are_removed():
    with SasMock() as mock:
        stub = mock.add_stub(action="DescribeCloudCenterInstances", match={"params": {"PageSize": "1"}},
                             response={"Success": True, "Instances": []}, times=1)
        assert stub["id"] in [s["id"] for s in mock.stubs()]
        status, body = rpc(mock, Action="DescribeCloudCenterInstances", PageSize=1)
        assert (status, body["Instances"]) == (200, [])
        # Used up: the default fixtures' stub answers again.
        assert len(rpc(mock, Action="DescribeCloudCenterInstances", PageSize=1)[1]["Instances"]) == 2
        teapot = mock.add_stub(action="DescribeCloudCenterInstances", status=418,
                               response={"Code": "Teapot", "Message": "short and stout"})
        assert rpc(mock, Action="DescribeCloudCenterInstances")[0] == 418
        assert mock.requests(code="Teapot")[0]["status"] == 418
        mock.remove_stub(teapot["id"])
        assert rpc(mock, Action="DescribeCloudCenterInstances")[0] == 200
        mock.clear_stubs()
        assert mock.stubs() == []
        assert rpc(mock, Action="DescribeCloudCenterInstances")[0] == 501


def test_limits_throttle_on_the_mock_clock_and_are_removed():
    with SasMock() as mock:
        limit = mock.add_limit(action="DescribeScanTaskProgress", rate="1/s", burst=1, retryAfter="1s")
        assert [l["id"] for l in mock.limits()] == [limit["id"]]
        assert rpc(mock, Action="DescribeScanTaskProgress", TaskId=100001)[0] == 200
        status, body = rpc(mock, Action="DescribeScanTaskProgress", TaskId=100001)
        assert (status, body["Code"]) == (400, "Throttling.User")
        mock.advance("1s")
        assert rpc(mock, Action="DescribeScanTaskProgress", TaskId=100001)[0] == 200
        assert [r["status"] for r in mock.requests(task_id=100001)] == [200, 400, 200]
        assert len(mock.requests(status=400)) == 1
        mock.remove_limit(limit["id"])
        assert mock.limits() == []
        mock.add_limit(action="*", rate="1/m")
        mock.clear_limits()
        assert rpc(mock, Action="DescribeScanTaskProgress", TaskId=100001)[0] == 200


def test_machines_are_added_and_a_scan_turns_their_findings_into_alerts():
    with SasMock() as mock:  # the default fixtures: testid is account 1234567890123456
        mock.add_machine(uuid="u-1", instanceName="app-1", accountId="1234567890123456",
                         findings=[{"name": "Miner:Linux/XMRig", "level": "serious"}])
        assert "u-1" in [m["uuid"] for m in mock.machines(account_id="1234567890123456")]
        target = '[{"type":"uuid","name":"app-1","target":"u-1"}]'
        task = rpc(mock, Action="StartVirusScanTask", TargetInfo=target, AccessKeyId="testid")[1]["ScanTaskId"]
        assert mock.alerts() == []
        mock.advance("6s")
        assert rpc(mock, Action="DescribeScanTaskProgress", TaskId=task,
                   AccessKeyId="testid")[1]["ScanTaskProgress"] == "Success"
        [alert] = mock.alerts(account_id="1234567890123456")
        assert (alert["uuid"], alert["name"]) == ("u-1", "Miner:Linux/XMRig")


def test_tasks_are_created_and_deleted():
    with SasMock() as mock:
        task = mock.create_task(taskId=55, accountId="1", progress="Processing")
        assert (task["taskId"], task["progress"]) == (55, "Processing")
        mock.delete_task(55)
        with pytest.raises(SasMockError) as raised:
            mock.task(55)
        assert raised.value.status == 404


def test_reset_returns_to_the_fixtures_and_can_restart_the_manual_clock():
    with SasMock() as mock:
        mock.add_fault(match={"action": "*"}, error="ServerError")
        rpc(mock, Action="DescribeScanTaskProgress", TaskId=100001)
        mock.create_task(taskId=56, accountId="1")
        mock.advance("1h")
        mock.reset()
        assert [f["origin"] for f in mock.faults()] == ["fixture", "fixture"]
        assert mock.requests() == [] and 56 not in [t["taskId"] for t in mock.tasks()]
        assert (mock.now() - dt.datetime.now(dt.timezone.utc)) > dt.timedelta(minutes=59)  # clock kept
        mock.reset(clock=True)
        assert abs((mock.now() - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 5


def test_after_a_reset_with_the_clock_the_fixtures_tasks_start_again_at_the_new_time():
    fixtures = {"tasks": [{"taskId": 5, "accountId": "1", "schedule": {"init": "1s", "processing": "5s"}}]}
    with SasMock(fixtures) as mock:
        mock.advance("2h")
        assert mock.task(5)["progress"] == "Success"
        mock.reset(clock=True)
        assert mock.task(5)["progress"] == "init"
        mock.advance("1s")
        assert mock.task(5)["progress"] == "Processing"


def test_any_flag_passes_through():
    with SasMock(seed=42, unknown_tasks="error", journal_size=5, auth="strict") as mock:
        assert mock.seed == 42 and mock.ready_record["seed"] == 42
        assert "--journal-size" in mock.argv and "5" in mock.argv
        assert rpc(mock, Action="DescribeScanTaskProgress", TaskId=1)[1]["Code"] == "MissingAccessKeyId"
    with SasMock(unknown_tasks="error", args=["--journal-size", "7"]) as mock:
        status, body = rpc(mock, Action="DescribeScanTaskProgress", TaskId=987654)
        assert (status, body["Code"]) == (404, "InvalidTaskId.NotFound")


def test_the_admin_token_is_sent_and_required():
    with SasMock(admin_token="s3cret") as mock:
        assert mock.tasks() is not None  # sent as Authorization: Bearer
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with pytest.raises(urllib.error.HTTPError) as raised:
            opener.open(f"{mock.url}/__admin/tasks", timeout=5)
        assert raised.value.code == 401


def test_the_environment_of_the_test_process_does_not_reconfigure_the_server(monkeypatch):
    monkeypatch.setenv("SAS_MOCK_ADMIN_TOKEN", "from-the-environment")
    monkeypatch.setenv("SAS_MOCK_UNKNOWN_TASKS", "error")
    monkeypatch.setenv("RUST_LOG", "error")  # would hide the ready line
    with SasMock() as mock:
        assert mock.tasks() == []
        assert rpc(mock, Action="DescribeScanTaskProgress", TaskId=987654)[0] == 200


def test_the_logs_of_the_server_are_kept():
    with SasMock() as mock:
        rpc(mock, Action="DescribeScanTaskProgress", TaskId=100001)
        deadline = time.monotonic() + 5
        while not any("DescribeScanTaskProgress" in line for line in mock.logs()):
            assert time.monotonic() < deadline, mock.logs()
            time.sleep(0.01)
        assert "sas-mock ready" in mock.logs()[0]


def test_stop_sends_sigterm_then_kills_a_server_that_ignores_it(fake_server):
    binary = fake_server("""
        import json, signal, sys, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print(json.dumps({"fields": {"message": "sas-mock ready", "listen": "127.0.0.1:9"}}),
              file=sys.stderr, flush=True)
        time.sleep(120)
    """)
    mock = SasMock(binary=binary, stop_timeout=0.5).start()
    assert mock.endpoint == "127.0.0.1:9"  # the ready line's fields may also be nested
    started = time.monotonic()
    assert mock.stop() == -9
    assert time.monotonic() - started < 5
    assert not alive(mock.pid)


def test_a_server_that_never_gets_ready_times_out_and_is_stopped(fake_server):
    binary = fake_server("""
        import sys, time
        print("warming up", file=sys.stderr, flush=True)
        time.sleep(120)
    """)
    mock = SasMock(binary=binary, startup_timeout=0.5, stop_timeout=0.5)
    with pytest.raises(SasMockStartError, match="not ready within 0.5s:\nwarming up"):
        mock.start()
    assert not alive(mock.pid)


def test_a_server_that_dies_makes_admin_calls_fail_clearly():
    with SasMock() as mock:
        mock.process.kill()
        mock.process.wait()
        with pytest.raises(SasMockError) as raised:
            mock.health()
        assert raised.value.code == "AdminUnreachable"
        assert "exited with code -9" in raised.value.message


def test_admin_calls_before_start_say_so():
    with pytest.raises(SasMockError, match="NotStarted"):
        SasMock().health()


def test_the_ready_line_is_read_at_the_top_level_or_under_fields():
    from sas_mock import _ready_record

    top = '{"level":"INFO","message":"sas-mock ready","listen":"127.0.0.1:1","seed":3}'
    nested = '{"level":"INFO","fields":{"message":"sas-mock ready","listen":"127.0.0.1:2"},"target":"x"}'
    assert _ready_record(top)["listen"] == "127.0.0.1:1"
    assert _ready_record(nested)["listen"] == "127.0.0.1:2"
    assert _ready_record('{"message":"rpc","listen":"x"}') is None
    assert _ready_record("sas-mock: bad fixture") is None


@pytest.mark.skipif(bool(os.environ.get("SAS_MOCK_BIN")), reason="SAS_MOCK_BIN overrides the lookup")
def test_the_installed_binary_is_the_one_beside_this_python():
    assert os.path.dirname(sas_mock.find_binary()) == os.path.dirname(sys.executable)


def test_sas_mock_bin_overrides_the_lookup(monkeypatch, fake_server):
    binary = fake_server("pass")
    monkeypatch.setenv("SAS_MOCK_BIN", binary)
    assert sas_mock.find_binary() == binary
    monkeypatch.setenv("SAS_MOCK_BIN", binary + ".missing")
    with pytest.raises(SasMockError, match="BinaryNotFound"):
        sas_mock.find_binary()


def test_the_tea_sdk_talks_to_it_through_sdk_config():
    client_module = pytest.importorskip("alibabacloud_sas20181203.client")
    from alibabacloud_sas20181203 import models

    with SasMock() as mock:
        client = client_module.Client(mock.sdk_config())
        request = models.DescribeScanTaskProgressRequest(task_id=100003)
        assert client.describe_scan_task_progress(request).body.scan_task_progress == "Success"
        assert mock.requests()[0]["accessKeyId"] == "testid"
