"""The pytest plugin, run on small test files with pytester (each run is its own pytest session)."""

import json
import os

import pytest

from conftest import alive

# Every inner test file records what its tests saw here: {test name: {port, pid, ...}}.
RECORDER = """
import json, os, pathlib

def record(name, mock, **extra):
    out = pathlib.Path(os.environ["SEEN_DIR"]) / f"{name}-{os.getpid()}.json"
    out.write_text(json.dumps({"port": mock.port, "pid": mock.pid, "worker": os.environ.get("PYTEST_XDIST_WORKER"), **extra}))
"""


@pytest.fixture
def seen(pytester, monkeypatch):
    directory = pytester.mkdir("seen")
    monkeypatch.setenv("SEEN_DIR", str(directory))
    pytester.makepyfile(recorder=RECORDER)

    def read():
        found = {}
        for path in directory.iterdir():
            found[path.name.rsplit("-", 1)[0]] = json.loads(path.read_text())
        return found
    return read


def test_the_fixture_is_there_without_a_conftest(pytester):
    pytester.makepyfile("""
        def test_it(sas_mock):
            assert sas_mock.health()["status"] == "ok"
            assert sas_mock.clock()["mode"] == "manual"
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_one_server_serves_the_session_and_is_reset_before_each_test(pytester, seen):
    pytester.makepyfile("""
        import datetime as dt
        from recorder import record

        def test_a_dirties_it(sas_mock):
            record("a", sas_mock)
            sas_mock.add_fault(match={"action": "*"}, error="ServerError")
            sas_mock.create_task(taskId=4242, accountId="1")
            sas_mock.advance("2h")

        def test_b_finds_it_clean(sas_mock, sas_mock_server):
            record("b", sas_mock)
            assert sas_mock is sas_mock_server
            assert [f["origin"] for f in sas_mock.faults()] == ["fixture", "fixture"]
            assert 4242 not in [t["taskId"] for t in sas_mock.tasks()]
            assert sas_mock.requests() == []
            drift = sas_mock.now() - dt.datetime.now(dt.timezone.utc)
            assert abs(drift.total_seconds()) < 5
    """)
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)
    runs = seen()
    assert runs["a"]["port"] == runs["b"]["port"]
    assert not alive(runs["a"]["pid"])  # stopped at the end of the session


def test_a_marker_gets_its_own_server_shared_by_tests_with_the_same_marker(pytester, seen):
    pytester.makepyfile("""
        import pytest
        from recorder import record

        CUSTOM = {"tasks": [{"taskId": 777, "accountId": "1", "progress": "Failed"}]}

        @pytest.mark.sas_mock(fixtures=CUSTOM, clock="system")
        def test_custom_one(sas_mock):
            record("custom_one", sas_mock)
            assert [t["taskId"] for t in sas_mock.tasks()] == [777]
            assert sas_mock.clock()["mode"] == "system"
            sas_mock.create_task(taskId=1, accountId="1")

        @pytest.mark.sas_mock(CUSTOM, clock="system")
        def test_custom_two(sas_mock):
            record("custom_two", sas_mock)
            assert [t["taskId"] for t in sas_mock.tasks()] == [777]

        def test_default(sas_mock):
            record("default", sas_mock)
            assert 777 not in [t["taskId"] for t in sas_mock.tasks()]
            assert sas_mock.clock()["mode"] == "manual"
    """)
    pytester.runpytest().assert_outcomes(passed=3)
    runs = seen()
    assert runs["custom_one"]["port"] == runs["custom_two"]["port"] != runs["default"]["port"]
    assert not any(alive(run["pid"]) for run in runs.values())


def test_markers_on_modules_and_classes_merge_closest_first(pytester):
    pytester.makepyfile("""
        import pytest

        pytestmark = pytest.mark.sas_mock(seed=7, clock="system")

        def test_module_level(sas_mock):
            assert (sas_mock.seed, sas_mock.clock()["mode"]) == (7, "system")

        @pytest.mark.sas_mock(clock="manual")
        class TestClass:
            def test_class_level(self, sas_mock):
                assert (sas_mock.seed, sas_mock.clock()["mode"]) == (7, "manual")

            @pytest.mark.sas_mock(seed=8)
            def test_function_level(self, sas_mock):
                assert (sas_mock.seed, sas_mock.clock()["mode"]) == (8, "manual")
    """)
    pytester.runpytest().assert_outcomes(passed=3)


def test_options_come_from_an_indirect_parameter(pytester):
    pytester.makepyfile("""
        import pytest

        @pytest.mark.parametrize("sas_mock", [{"clock": "manual"}, {"clock": "system"}], indirect=True)
        def test_both_clocks(sas_mock):
            assert sas_mock.clock()["mode"] in ("manual", "system")
            assert sas_mock.clock_mode == sas_mock.clock()["mode"]
    """)
    pytester.runpytest("-v").assert_outcomes(passed=2)


def test_ini_options_configure_the_session_server(pytester):
    pytester.makefile(".json", tasks=json.dumps({"tasks": [{"taskId": 31337, "accountId": "1"}]}))
    pytester.makeini("""
        [pytest]
        sas_mock_fixtures = tasks.json
        sas_mock_clock = system
        sas_mock_args = --seed 99 --unknown-tasks error
    """)
    pytester.makepyfile("""
        def test_it(sas_mock):
            assert [t["taskId"] for t in sas_mock.tasks()] == [31337]
            assert sas_mock.clock()["mode"] == "system"
            assert sas_mock.seed == 99
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_conftest_can_override_the_options(pytester):
    pytester.makeconftest("""
        import pytest

        @pytest.fixture(scope="session")
        def sas_mock_options():
            return {"clock": "manual", "auth": "strict", "admin_token": "t0ken"}
    """)
    pytester.makepyfile("""
        def test_it(sas_mock):
            assert sas_mock.admin_token == "t0ken"
            assert sas_mock.ready_record["auth"].lower() == "strict"
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_bad_marker_fixture_fails_the_test_with_the_json_path(pytester):
    pytester.makepyfile("""
        import pytest

        @pytest.mark.sas_mock(fixtures={"tasks": [{"taskId": 1, "schedule": {"init": {"polls": "x"}}}]})
        def test_it(sas_mock):
            pass

        def test_others_still_run(sas_mock):
            pass
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*SasMockStartError*", "*fixtures[[]0[]] (a dict): tasks[[]0[]].schedule.init*"])


def test_a_failing_test_shows_the_mocks_journal(pytester):
    pytester.makepyfile("""
        import json, urllib.request

        def test_it(sas_mock):
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            opener.open(f"{sas_mock.url}/?Action=DescribeScanTaskProgress&Version=2018-12-03&TaskId=100002").read()
            assert False, "the test's own failure"
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*the test's own failure*", "*- sas-mock journal -*",
                                 "*the test's requests (the last 50 at most):", "1 * GET DescribeScanTaskProgress task=100002 key=None -> 200"])


def test_the_marker_is_registered(pytester):
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.sas_mock(fixtures=None, *, clock=..., **options):*"])
    pytester.makepyfile("""
        import pytest

        @pytest.mark.sas_mock(clock="manual")
        def test_it(sas_mock):
            pass
    """)
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)


def test_the_least_recently_used_server_is_stopped_past_the_limit(pytester, seen):
    pytester.makeini("""
        [pytest]
        sas_mock_max_servers = 2
    """)
    pytester.makepyfile("""
        import pytest
        from recorder import record

        def test_default(sas_mock_server):
            record("default", sas_mock_server)

        @pytest.mark.sas_mock(seed=1)
        def test_one(sas_mock):
            record("one", sas_mock)

        @pytest.mark.sas_mock(seed=2)
        def test_two(sas_mock, sas_mock_pool):
            record("two", sas_mock, servers=len(sas_mock_pool.servers()))

        def test_default_again(sas_mock):
            record("default_again", sas_mock)
    """)
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=4)
    runs = seen()
    assert runs["two"]["servers"] == 2  # the pinned session server and the newest
    assert runs["default"]["port"] == runs["default_again"]["port"]


@pytest.mark.parametrize("workers", ["2"])
def test_each_xdist_worker_runs_its_own_server(pytester, seen, workers):
    pytest.importorskip("xdist")
    pytester.makepyfile("""
        import pytest
        from recorder import record

        @pytest.mark.parametrize("n", range(8))
        def test_it(sas_mock, n):
            record(f"t{n}", sas_mock)
            sas_mock.advance("1s")
            assert sas_mock.requests() == []
    """)
    result = pytester.runpytest_subprocess("-n", workers, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=8)
    by_worker = {}
    for run in seen().values():
        by_worker.setdefault(run["worker"], set()).add(run["port"])
    assert sorted(by_worker) == ["gw0", "gw1"]
    assert all(len(ports) == 1 for ports in by_worker.values())  # one server per worker...
    assert by_worker["gw0"] != by_worker["gw1"]  # ...and not the same one
    assert not any(alive(run["pid"]) for run in seen().values())
