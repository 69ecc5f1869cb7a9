"""Fixtures: one sas-mock per auth mode for the whole session, one SDK client per test.

Every test runs for each (auth mode x client configuration) pair; ids read like
`test_...[strict-tea-v3]`.
"""

from __future__ import annotations

import pytest

from mockserver import AddedRules, MockServer
from sdk_clients import CLIENTS

AUTH_MODES = ["strict", "lenient"]

# The embedded default fixtures (fixtures/default.json).
MAIN_KEY = ("testid", "testsecret")
MAIN_ACCOUNT = "1234567890123456"
OTHER_KEY = ("otherid", "othersecret")
OTHER_ACCOUNT = "6543210987654321"
READONLY_KEY = ("readonly-id", "readonly-secret")
STS_KEY = ("STS.testid", "stssecret")
STS_TOKEN = "ststoken"


@pytest.fixture(scope="session", params=AUTH_MODES)
def mock(request):
    server = MockServer(request.param)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def clean_mock(request):
    """Back to the fixtures before each test: tasks, fault rules and journal."""
    if "mock" in request.fixturenames:
        request.getfixturevalue("mock").reset()
    yield


@pytest.fixture(params=list(CLIENTS))
def connect(request, mock):
    """connect(key_id, secret, token=None) -> an SDK client of this test's kind pointed at the mock."""
    make = CLIENTS[request.param]

    def _connect(key_id: str = MAIN_KEY[0], secret: str = MAIN_KEY[1], token: str | None = None):
        return make(mock.port, key_id, secret, token)

    _connect.kind = request.param
    return _connect


@pytest.fixture
def sdk(connect):
    """The test's client, signed with the main fixture key."""
    return connect()


@pytest.fixture
def rules(mock):
    """rules.stub(...), rules.limit(...), rules.fault(...): admin rules this test adds, removed after it."""
    added = AddedRules(mock)
    yield added
    added.remove_all()
