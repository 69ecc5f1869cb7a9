"""The sas-mock pytest plugin, registered through the ``pytest11`` entry point: installing the
package is enough.

Fixtures
    ``sas_mock``          function scope: a running :class:`~sas_mock.SasMock`, reset before the test
                          (tasks, faults, journal, nonces; a manual clock back to real time).
    ``sas_mock_server``   session scope: the shared server with the session's options, not reset.
    ``sas_mock_options``  session scope: the ``SasMock`` keyword arguments every server starts with
                          (from the ini options below); override it in a conftest.py to change them.

Per-test options
    ``@pytest.mark.sas_mock(fixtures=..., clock=..., **options)`` on a test, class or module (or
    ``@pytest.mark.parametrize("sas_mock", [{...}], indirect=True)``) overrides those options, key
    by key. Each distinct set of options gets its own server, started the first time a test asks
    for it and shared with every later test that asks for the same set (reset before each). Marker
    fixtures are not loaded into the shared server, because the server's reset keeps runtime-loaded
    fixtures: they would leak into every later test.

ini options (pytest.ini, tox.ini, setup.cfg, or ``[tool.pytest.ini_options]`` in pyproject.toml)
    ``sas_mock_fixtures``     fixture files or directories, relative to the ini file (default: the
                              embedded default fixtures)
    ``sas_mock_clock``        ``manual`` (default) or ``system``
    ``sas_mock_args``         extra server flags, e.g. ``--auth strict --seed 7``
    ``sas_mock_max_servers``  servers kept running at once per session (default 8); past it the
                              least recently used per-test server is stopped

With pytest-xdist every worker is its own session, so each worker runs its own servers.

A failed test that used ``sas_mock`` gets a "sas-mock journal" section in its report: the requests it
made and what the mock answered.
"""

from __future__ import annotations

import json
import shlex
from collections import OrderedDict
from typing import Any, Dict, Iterator, Mapping, Optional

import pytest

from . import SasMock

_JOURNAL_SHOWN = 50
_MARKER_HELP = (
    "sas_mock(fixtures=None, *, clock=..., **options): run the sas_mock fixture against a server "
    "started with these SasMock options instead of the session's (one server per distinct set, "
    "shared by the tests that ask for it, reset before each)")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("sas_mock_fixtures", "sas-mock fixture files or directories for the sas_mock "
                  "fixture (default: the embedded default fixtures)", type="paths", default=[])
    parser.addini("sas_mock_clock", "clock of the sas_mock fixture's server: manual (default) or "
                  "system", default="manual")
    parser.addini("sas_mock_args", "extra sas-mock flags for the sas_mock fixture's server",
                  type="args", default=[])
    parser.addini("sas_mock_max_servers", "sas-mock servers kept running at once per session "
                  "(default 8)", default="8")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER_HELP)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A failed test that used the sas_mock fixture shows what the mock answered it."""
    outcome = yield
    report = outcome.get_result()
    server = getattr(item, "funcargs", {}).get("sas_mock")
    if report.when != "call" or not report.failed or not isinstance(server, SasMock):
        return
    try:
        journal = server.requests(limit=_JOURNAL_SHOWN)
    except Exception as error:  # a dead server: say so, and keep the test's own failure
        report.sections.append(("sas-mock", f"could not read the journal: {error}"))
        return
    lines = [f"{r.get('seq')} {r.get('time')} {r.get('method')} {r.get('action')} task={r.get('taskId')} "
             f"key={r.get('accessKeyId')} -> {r.get('status')} {r.get('code') or ''}".rstrip()
             for r in journal]
    if not lines:
        lines = [f"{server.url} received no request in this test"]
    else:  # the fixture reset the journal before the test: these are all the test's own
        lines.insert(0, f"{server.url}, the test's requests (the last {_JOURNAL_SHOWN} at most):")
    report.sections.append(("sas-mock journal", "\n".join(lines)))


class SasMockPool:
    """The session's servers, one per distinct set of options, started on first use.

    Keeps at most ``max_servers`` running: past that the least recently used unpinned one stops.
    """

    def __init__(self, max_servers: int = 8) -> None:
        self.max_servers = max(1, max_servers)
        self._servers: "OrderedDict[str, SasMock]" = OrderedDict()
        self._pinned: set = set()

    def get(self, options: Mapping[str, Any], *, pin: bool = False) -> SasMock:
        key = _key(options)
        server = self._servers.get(key)
        if server is not None and not server.running:  # it died: say so rather than hide it
            del self._servers[key]
            raise RuntimeError(f"the sas-mock server for {key} exited with code "
                               f"{server.returncode}; its last output:\n" + "\n".join(server.logs()[-20:]))
        if server is None:
            server = SasMock(**options).start()
            self._servers[key] = server
            self._evict(keep=key)
        self._servers.move_to_end(key)
        if pin:
            self._pinned.add(key)
        return server

    def _evict(self, keep: str) -> None:
        for key in list(self._servers):
            if len(self._servers) <= self.max_servers:
                return
            if key != keep and key not in self._pinned:
                self._servers.pop(key).stop()

    def servers(self) -> Dict[str, SasMock]:
        return dict(self._servers)

    def close(self) -> None:
        while self._servers:
            _, server = self._servers.popitem()
            server.stop()


def _key(options: Mapping[str, Any]) -> str:
    return json.dumps(options, sort_keys=True, default=str)


@pytest.fixture(scope="session")
def sas_mock_options(pytestconfig: pytest.Config) -> Dict[str, Any]:
    """The ``SasMock`` keyword arguments of the session's server (and the base of every marker's)."""
    options: Dict[str, Any] = {"clock": pytestconfig.getini("sas_mock_clock") or "manual"}
    fixtures = [str(p) for p in pytestconfig.getini("sas_mock_fixtures")]
    if fixtures:
        options["fixtures"] = fixtures
    args = list(pytestconfig.getini("sas_mock_args"))
    if args:
        options["args"] = args
    return options


@pytest.fixture(scope="session")
def sas_mock_pool(pytestconfig: pytest.Config) -> Iterator[SasMockPool]:
    """Every sas-mock server of this session (this xdist worker); all stop at the session's end."""
    pool = SasMockPool(int(pytestconfig.getini("sas_mock_max_servers") or 8))
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def sas_mock_server(sas_mock_pool: SasMockPool, sas_mock_options: Dict[str, Any]) -> SasMock:
    """The session's shared server, started with ``sas_mock_options``. Not reset for you."""
    return sas_mock_pool.get(sas_mock_options, pin=True)


@pytest.fixture
def sas_mock(request: pytest.FixtureRequest, sas_mock_pool: SasMockPool,
             sas_mock_options: Dict[str, Any]) -> SasMock:
    """A running sas-mock, reset before this test. Options: the session's, overridden by
    ``@pytest.mark.sas_mock(...)`` markers (closest wins) and by an indirect parameter."""
    options = dict(sas_mock_options)
    for marker in reversed(list(request.node.iter_markers("sas_mock"))):  # farthest first
        if len(marker.args) > 1:
            raise pytest.UsageError("@pytest.mark.sas_mock takes one positional argument (fixtures)")
        if marker.args:
            options["fixtures"] = marker.args[0]
        options.update(marker.kwargs)
    param: Optional[Any] = getattr(request, "param", None)
    if isinstance(param, Mapping):
        options.update(param)
    elif param is not None:
        raise pytest.UsageError("an indirect parameter of sas_mock must be a dict of SasMock options")
    pinned = _key(options) == _key(sas_mock_options)
    server = sas_mock_pool.get(options, pin=pinned)
    server.reset(clock=True)
    return server
