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


def sdk_error(sdk, status: int, call):
    """Runs `call`, which must raise exactly the exception class this SDK uses for `status`;
    returns the exception and the SDK's reading of it."""
    expected = sdk.exception_for(status)
    with pytest.raises(Exception) as info:
        call()
    assert type(info.value) is expected, (
        f"expected {expected.__module__}.{expected.__name__}, got {type(info.value)!r}: {info.value}"
    )
    return info.value, sdk.read_error(info.value)


def expect_sdk_error(sdk, status: int, call):
    """The SDK's reading of the error `call` must raise (see `sdk_error`)."""
    return sdk_error(sdk, status, call)[1]


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
