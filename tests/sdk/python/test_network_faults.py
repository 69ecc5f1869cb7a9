"""Network faults through the official Python SDKs (Tea V3, Tea v2, legacy core), under both auth modes.

A fault rule with `network` breaks the transport instead of answering: each SDK must see exactly the
failure its production counterpart would (a socket error, a read timeout, a broken chunked body, an
HTML page from a proxy), and a Tea client configured to retry must get through a one-time fault.

What the pinned Tea Python SDK does (alibabacloud-tea-openapi 0.4.6, darabonba-core 1.0.9): every
transport failure is an `IOError` from requests, which `DaraCore.do_action` turns into
`RetryError(str(e))` (so the requests exception is its `__context__`), and `do_request` /
`do_rpcrequest` wrap the last error in `UnretryableException` (`.inner_exception`). A body that is not
JSON is a `RuntimeError('Failed to parse the value as json format ...')` instead. Retries come only from
`Config.retry_options` (a `RetryCondition` whose `exception` names `RetryError`);
`RuntimeOptions.autoretry` / `max_attempts` are never read by tea-openapi 0.4.6."""

from __future__ import annotations

import errno

import pytest
from alibabacloud_sas20181203 import models
from alibabacloud_sas20181203.client import Client
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.exceptions import UnretryableException
from darabonba.policy.retry import RetryCondition, RetryOptions
from darabonba.runtime import RuntimeOptions

from conftest import MAIN_KEY

TASK = 100003  # a fixture task pinned at Success
POLL = ("DescribeScanTaskProgress", {"TaskId": TASK})
CLIENT_TIMEOUT_MS = 200  # the client's read timeout where a fault hangs

# kind -> (the rule's fields, the journal's status for it)
FAULTS = {
    "connectionReset": ({"network": "connectionReset"}, 0),
    "emptyResponse": ({"network": "emptyResponse"}, 0),
    "randomDataThenClose": ({"network": "randomDataThenClose"}, 0),
    "malformedChunk": ({"network": "malformedChunk"}, 200),
    "hang": ({"network": "hang"}, 0),
    "proxyError": ({"network": "proxyError"}, 502),
    "proxyError-503": ({"network": "proxyError", "status": 503}, 503),
}

# Tea Python: the exception chain from the raised exception inward (module.Class), as far as it tells
# this fault apart from the others.
_TEA_TRANSPORT = ["darabonba.exceptions.UnretryableException", "darabonba.exceptions.RetryError"]
_TEA_NOT_JSON = ["darabonba.exceptions.UnretryableException", "builtins.RuntimeError",
                 "json.decoder.JSONDecodeError"]
TEA_CHAINS = {
    "connectionReset": _TEA_TRANSPORT + ["requests.exceptions.ConnectionError", "urllib3.exceptions.ProtocolError",
                                         "builtins.ConnectionResetError"],
    "emptyResponse": _TEA_TRANSPORT + ["requests.exceptions.ConnectionError", "urllib3.exceptions.ProtocolError",
                                       "http.client.RemoteDisconnected"],
    "randomDataThenClose": _TEA_TRANSPORT + ["requests.exceptions.ConnectionError",
                                             "urllib3.exceptions.ProtocolError", "http.client.BadStatusLine"],
    "malformedChunk": _TEA_TRANSPORT + ["requests.exceptions.ChunkedEncodingError",
                                        "urllib3.exceptions.ProtocolError"],
    "hang": _TEA_TRANSPORT + ["requests.exceptions.ReadTimeout", "urllib3.exceptions.ReadTimeoutError"],
    "proxyError": _TEA_NOT_JSON,
    "proxyError-503": _TEA_NOT_JSON,
}
# Tea Python: a text the innermost message of the chain above carries.
TEA_DETAIL = {
    "connectionReset": "Connection reset by peer",
    "emptyResponse": "Remote end closed connection without response",
    "randomDataThenClose": "",  # 48 random bytes: BadStatusLine holds them
    "malformedChunk": "Response ended prematurely",
    "hang": f"Read timed out. (read timeout={CLIENT_TIMEOUT_MS / 1000})",
    "proxyError": "Failed to parse the value as json format",
    "proxyError-503": "Failed to parse the value as json format",
}
# Legacy Python (aliyunsdkcore 2.16.1): (exception class, error code, HTTP status, text in its message).
# It raises outside the `except`, so only the message says which transport error it was.
LEGACY = {
    "connectionReset": ("ClientException", "SDK.HttpError", None, "ConnectionResetError(104, 'Connection reset by peer')"),
    "emptyResponse": ("ClientException", "SDK.HttpError", None, "RemoteDisconnected('Remote end closed connection"),
    "randomDataThenClose": ("ClientException", "SDK.HttpError", None, "BadStatusLine("),
    "malformedChunk": ("ClientException", "SDK.HttpError", None, "IncompleteRead("),
    "hang": ("ClientException", "SDK.HttpError", None, "Read timed out. (read timeout=0.2)"),
    "proxyError": ("ServerException", "SDK.UnknownServerError", 502, "ServerResponseBody: <html>"),
    "proxyError-503": ("ServerException", "SDK.UnknownServerError", 503, "ServerResponseBody: <html>"),
}


def chain(exc: BaseException | None) -> list[BaseException]:
    """The exception and what it wraps: Tea's `inner_exception`, then `__cause__` / `__context__`, then
    (requests and urllib3 keep the socket error there) an exception among its args."""
    seen: list[BaseException] = []
    while exc is not None and all(exc is not s for s in seen):
        seen.append(exc)
        inner = getattr(exc, "inner_exception", None) or exc.__cause__ or exc.__context__
        if inner is None:
            inner = next((a for a in getattr(exc, "args", ()) if isinstance(a, BaseException)), None)
        exc = inner
    return seen


def qualified(exc: BaseException) -> str:
    return f"{type(exc).__module__}.{type(exc).__qualname__}"


def add_fault(rules, kind: str, **extra) -> dict:
    spec, _ = FAULTS[kind]
    return rules.fault(match={"action": POLL[0], "taskId": TASK}, **spec, **extra)


def the_fault_was_journaled_once(mock, kind: str, rule: dict) -> None:
    entries = mock.journal(action=POLL[0])
    assert len(entries) == 1, f"one request, no retry by the SDK: {[(e['status'], e['network']) for e in entries]}"
    _, status = FAULTS[kind]
    assert (entries[0]["network"], entries[0]["status"], entries[0]["faultId"]) == (
        FAULTS[kind][0]["network"], status, rule["id"])


# --- what each SDK raises ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(FAULTS))
def test_each_network_fault_surfaces_as_the_sdks_own_transport_error(mock, sdk, connect, rules, kind):
    rule = add_fault(rules, kind)

    with pytest.raises(Exception) as info:
        sdk.call(*POLL, read_timeout_ms=CLIENT_TIMEOUT_MS)

    exc = info.value
    if connect.kind.startswith("tea"):
        links = chain(exc)
        assert [qualified(e) for e in links][:len(TEA_CHAINS[kind])] == TEA_CHAINS[kind], repr(exc)
        innermost = links[len(TEA_CHAINS[kind]) - 1]
        assert TEA_DETAIL[kind] in str(innermost) or TEA_DETAIL[kind] in str(exc)
        if kind == "connectionReset":
            assert innermost.errno == errno.ECONNRESET
        if kind.startswith("proxyError"):  # the proxy's HTML page is in the message
            assert "<center>Tengine</center>" in str(exc)
    else:
        cls, code, status, text = LEGACY[kind]
        assert type(exc).__name__ == cls and type(exc).__module__ == "aliyunsdkcore.acs_exception.exceptions"
        assert exc.get_error_code() == code
        assert text in exc.get_error_msg()
        if status is not None:
            assert exc.get_http_status() == status
    the_fault_was_journaled_once(mock, kind, rule)


@pytest.mark.parametrize("status,title", [(502, "502 Bad Gateway"), (503, "503 Service Temporarily Unavailable")])
def test_a_proxy_error_is_an_html_page_from_a_tengine_style_proxy(mock, sdk, rules, status, title):
    rule = rules.fault(match={"action": POLL[0]}, network="proxyError", **({"status": status} if status != 502 else {}))

    with pytest.raises(Exception):
        sdk.call(*POLL)

    entry = mock.last_request(POLL[0])
    assert (entry["status"], entry["network"], entry["faultId"]) == (status, "proxyError", rule["id"])
    assert entry["response"].startswith("<html>") and f"<title>{title}</title>" in entry["response"]


def test_a_hang_with_a_delay_answers_normally_once_the_delay_is_over(mock, sdk, rules):
    rules.fault(match={"action": POLL[0]}, network="hang", delay="100ms")

    body = sdk.call(*POLL, read_timeout_ms=5000)

    assert body["ScanTaskProgress"] == "Success"
    entry = mock.last_request(POLL[0])
    assert entry["status"] == 200


def test_a_one_time_fault_fails_one_call_and_the_next_call_passes(mock, sdk, rules):
    rule = add_fault(rules, "connectionReset", times=1)

    with pytest.raises(Exception):
        sdk.call(*POLL)
    assert sdk.call(*POLL)["ScanTaskProgress"] == "Success"

    assert [(e["network"], e["status"]) for e in mock.journal(action=POLL[0])] == [("connectionReset", 0), (None, 200)]
    assert rules.current("faults", rule["id"])["fired"] == 1


# --- Tea retries -------------------------------------------------------------------------------------


# What an application configures to retry transport errors with the pinned Tea SDK: darabonba's
# DaraCore.should_retry matches `RetryCondition.exception` against the error's `.name`, and every
# transport error reaches it as a darabonba RetryError. The fixed 10 ms backoff keeps the test fast.
RETRY_TRANSPORT_ERRORS = RetryOptions(retry_condition=[
    RetryCondition(max_attempts=3, exception=["RetryError"], backoff={"policy": "Fixed", "period": 10}),
])


@pytest.fixture(params=["tea-v3", "tea-v2"])
def tea_config(request, mock):
    """A Tea Config for the main key, with the test's signing (V3 or v2) and a short read timeout."""
    config = Config(access_key_id=MAIN_KEY[0], access_key_secret=MAIN_KEY[1], protocol="http",
                    endpoint=f"127.0.0.1:{mock.port}", read_timeout=CLIENT_TIMEOUT_MS)
    if request.param == "tea-v2":
        config.signature_algorithm = "v2"
    return config


def poll(client: Client, runtime: RuntimeOptions | None = None) -> str:
    request = models.DescribeScanTaskProgressRequest(task_id=TASK)
    if runtime is None:
        return client.describe_scan_task_progress(request).body.scan_task_progress
    return client.describe_scan_task_progress_with_options(request, runtime).body.scan_task_progress


@pytest.mark.parametrize("kind", ["connectionReset", "emptyResponse", "randomDataThenClose", "malformedChunk", "hang"])
def test_a_tea_client_with_retry_options_gets_through_a_one_time_transport_fault(mock, tea_config, rules, kind):
    rule = add_fault(rules, kind, times=1)
    tea_config.retry_options = RETRY_TRANSPORT_ERRORS

    assert poll(Client(tea_config)) == "Success"

    entries = mock.journal(action=POLL[0])
    assert [(e["network"], e["status"]) for e in entries] == [(kind, FAULTS[kind][1]), (None, 200)]
    assert entries[0]["faultId"] == rule["id"] and entries[1]["faultId"] is None
    assert entries[0]["requestId"] != entries[1]["requestId"]


def test_the_same_reset_fails_a_tea_client_without_retry_options(mock, tea_config, rules):
    add_fault(rules, "connectionReset", times=1)

    with pytest.raises(UnretryableException) as info:
        poll(Client(tea_config))

    assert type(info.value.inner_exception).__name__ == "RetryError"
    assert [e["network"] for e in mock.journal(action=POLL[0])] == ["connectionReset"]


def test_runtime_autoretry_alone_does_not_make_the_pinned_tea_sdk_retry(mock, tea_config, rules):
    # tea-openapi 0.4.6 builds its retry loop from Config.retry_options only; RuntimeOptions.autoretry
    # and max_attempts (still accepted, from the older Tea runtime) are never read.
    add_fault(rules, "connectionReset", times=1)

    with pytest.raises(UnretryableException):
        poll(Client(tea_config), RuntimeOptions(autoretry=True, max_attempts=3))

    assert [e["network"] for e in mock.journal(action=POLL[0])] == ["connectionReset"]


def test_retry_options_for_transport_errors_do_not_retry_a_proxys_html_page(mock, tea_config, rules):
    # A non-JSON 502 is a RuntimeError, not a RetryError, so the condition above does not match it.
    add_fault(rules, "proxyError", times=1)
    tea_config.retry_options = RETRY_TRANSPORT_ERRORS

    with pytest.raises(UnretryableException) as info:
        poll(Client(tea_config))

    assert type(info.value.inner_exception) is RuntimeError
    assert [(e["network"], e["status"]) for e in mock.journal(action=POLL[0])] == [("proxyError", 502)]
