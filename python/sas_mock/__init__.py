"""sas-mock from Python: run the bundled sas-mock binary for a test, and steer it.

    from sas_mock import SasMock

    with SasMock(clock="manual") as mock:          # a free loopback port, ready when this returns
        Config(endpoint=mock.endpoint, protocol="http", access_key_id=mock.access_key_id, ...)
        mock.advance("6s")

The pytest plugin (``sas_mock.pytest_plugin``, registered through the ``pytest11`` entry point)
gives tests a ``sas_mock`` fixture built on this class.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import threading
import time
import weakref
from collections import deque
from typing import Any, Deque, Dict, List, Mapping, Optional, Sequence, Tuple, Union

# urllib, ssl, tempfile and importlib.metadata are imported where they are used: pytest imports
# this module (through the plugin) in every session of the environment, using sas-mock or not.

__all__ = [
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_ACCESS_KEY_SECRET",
    "SasMock",
    "SasMockError",
    "SasMockStartError",
    "find_binary",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":  # the installed distribution's version (Cargo.toml's)
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("sas-mock")
        except PackageNotFoundError:  # running from a source tree
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

#: The access key of the embedded default fixtures (account 1234567890123456).
DEFAULT_ACCESS_KEY_ID = "testid"
DEFAULT_ACCESS_KEY_SECRET = "testsecret"

PathLike = Union[str, "os.PathLike[str]"]
Fixture = Union[PathLike, Mapping[str, Any]]
Fixtures = Union[Fixture, Sequence[Fixture], None]
Span = Union[str, int, float, _dt.timedelta]

_READY_MESSAGE = "sas-mock ready"
_LOG_LINES_KEPT = 2000


class SasMockError(Exception):
    """An error from sas-mock: an admin API answer (``code``, ``message``, ``status``,
    ``request_id`` as the server sent them) or a failure to find, start or reach the server."""

    def __init__(self, code: str, message: str, *, status: Optional[int] = None,
                 request_id: Optional[str] = None) -> None:
        self.code = code
        self.message = message
        self.status = status
        self.request_id = request_id
        where = f" (HTTP {status}, RequestId {request_id})" if status is not None else ""
        super().__init__(f"{code}: {message}{where}")


class SasMockStartError(SasMockError):
    """The server did not get ready: it exited (``returncode``) or timed out. ``output`` is what
    it printed, e.g. ``sas-mock: bad fixture: <file>: tasks[0].schedule.processing: expected …``."""

    def __init__(self, message: str, *, output: str, returncode: Optional[int]) -> None:
        self.output = output
        self.returncode = returncode
        super().__init__("StartFailed", message)


def find_binary() -> str:
    """The sas-mock executable: ``$SAS_MOCK_BIN`` if set (for development), else the one the wheel
    installed beside this Python (the environment's scripts directory), else ``sas-mock`` on PATH."""
    override = os.environ.get("SAS_MOCK_BIN")
    if override:
        if os.path.isfile(override) and os.access(override, os.X_OK):
            return os.path.abspath(override)
        raise SasMockError("BinaryNotFound", f"SAS_MOCK_BIN={override!r} is not an executable file")
    for directory in _script_dirs():
        found = shutil.which("sas-mock", path=directory)
        if found:
            return found
    found = shutil.which("sas-mock")
    if found:
        return found
    raise SasMockError(
        "BinaryNotFound",
        "no sas-mock executable beside this Python or on PATH: install the sas-mock wheel into this "
        "environment (pip install sas-mock), or set SAS_MOCK_BIN to a built binary")


def _script_dirs() -> List[str]:
    dirs = [os.path.dirname(sys.executable)]
    for scheme in (None, f"{os.name}_user"):
        try:
            path = sysconfig.get_path("scripts") if scheme is None else sysconfig.get_path("scripts", scheme)
        except KeyError:
            continue
        if path and path not in dirs:
            dirs.insert(1 if scheme is None else len(dirs), path)
    return dirs


class SasMock:
    """A sas-mock server in a child process, on a free loopback port.

    ``fixtures`` is a fixture file or directory, a fixture document (a dict), or a list of those
    (they merge in order, as repeated ``--fixtures`` do); ``None`` serves the embedded defaults.
    ``clock`` defaults to ``"manual"`` (time moves only with :meth:`advance` / :meth:`set_time`).
    ``auth``, ``seed``, ``unknown_tasks``, ``timestamp_check`` and ``admin_token`` are the server's
    flags of those names; any other keyword becomes a flag too (``journal_size=5000`` →
    ``--journal-size 5000``; ``True`` → a bare flag; a list repeats it), and ``args`` appends raw
    arguments. ``SAS_MOCK_*`` variables of this process are not passed on, so only these options
    count; ``env`` adds variables for the child.

    Use it as a context manager (or :meth:`start` / :meth:`stop`). Starting waits until the server
    is ready and raises :class:`SasMockStartError` with the server's own message if it is not.
    """

    def __init__(self, fixtures: Fixtures = None, *, clock: Optional[str] = "manual",
                 auth: Optional[str] = None, seed: Optional[int] = None,
                 unknown_tasks: Optional[str] = None, timestamp_check: Optional[str] = None,
                 admin_token: Optional[str] = None, listen: str = "127.0.0.1:0",
                 args: Sequence[str] = (), env: Optional[Mapping[str, str]] = None,
                 binary: Optional[PathLike] = None, log_level: str = "info",
                 startup_timeout: float = 15.0, stop_timeout: float = 10.0,
                 **flags: Any) -> None:
        self.fixtures = fixtures
        self.clock_mode = clock
        self.admin_token = admin_token
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self._binary = os.fspath(binary) if binary is not None else None
        self._listen = listen
        self._extra_args = list(args)
        self._env = dict(env or {})
        self._log_level = log_level
        self._flags: Dict[str, Any] = dict(flags)
        self._flags.update(clock=clock, auth=auth, seed=seed, unknown_tasks=unknown_tasks,
                           timestamp_check=timestamp_check, admin_token=admin_token)
        self._docs = _fixture_documents(fixtures)
        self.access_key_id, self.access_key_secret = _first_access_key(self._docs)
        self._proc: Optional[subprocess.Popen] = None
        self._tmpdir: Optional[str] = None
        self._temp_names: Dict[str, str] = {}
        self._log: Deque[str] = deque(maxlen=_LOG_LINES_KEPT)
        self._startup_output: List[str] = []
        self._ready_record: Optional[Dict[str, Any]] = None
        self._spawned_at = self._ready_at = 0.0  # perf_counter() instants, for python/startup_time.py
        self._changed = threading.Event()
        self._reader: Optional[threading.Thread] = None
        self._finalizer: Optional[weakref.finalize] = None
        self._opener: Any = None  # a urllib OpenerDirector that ignores proxies
        self.url = ""
        self.endpoint = ""
        self.host = ""
        self.port = 0
        self.scheme = "http"
        self.seed = seed
        self.argv: List[str] = []

    # ----- lifecycle -------------------------------------------------------------------------------

    def __enter__(self) -> "SasMock":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"url={self.url!r}" if self.running else "stopped"
        return f"<SasMock {state} clock={self.clock_mode!r}>"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> Optional[int]:
        return self._proc.pid if self._proc is not None else None

    @property
    def process(self) -> Optional[subprocess.Popen]:
        return self._proc

    @property
    def returncode(self) -> Optional[int]:
        return self._proc.returncode if self._proc is not None else None

    @property
    def ready_record(self) -> Dict[str, Any]:
        """The server's ready log line, as a dict (``listen``, ``seed``, ``auth``, ``clock``, …)."""
        return dict(self._ready_record or {})

    def logs(self) -> List[str]:
        """The server's most recent log lines (its stderr; one JSON object per line)."""
        return list(self._log)

    def start(self) -> "SasMock":
        """Start the server and wait until it is ready; a no-op if it is running."""
        if self._proc is not None:
            if self.running:
                return self
            raise SasMockError("AlreadyStopped", "this SasMock was stopped; make a new one")
        import tempfile

        binary = self._binary or find_binary()
        self._tmpdir = tempfile.mkdtemp(prefix="sas-mock-")
        try:
            self.argv = [binary, *self._arguments()]
            self._proc = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, env=self._child_env())
            self._spawned_at = time.perf_counter()
        except BaseException:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            raise
        self._finalizer = weakref.finalize(self, _cleanup, self._proc, self._tmpdir, self.stop_timeout)
        self._reader = threading.Thread(target=self._pump, name=f"sas-mock-log-{self._proc.pid}",
                                        daemon=True)
        self._reader.start()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout: Optional[float] = None) -> Optional[int]:
        """SIGTERM, up to ``timeout`` seconds (default ``stop_timeout``) for a graceful exit, then
        SIGKILL. Returns the exit code. Safe to call more than once."""
        if self._proc is None:
            return None
        _terminate(self._proc, self.stop_timeout if timeout is None else timeout)
        if self._reader is not None:
            self._reader.join(timeout=2)
        if self._finalizer is not None:
            self._finalizer()  # removes the temporary fixture files
        return self._proc.returncode

    def _arguments(self) -> List[str]:
        argv = ["--listen", self._listen, "--log-format", "json"]
        for i, doc in enumerate(self._docs):
            if isinstance(doc, Mapping):
                path = os.path.join(str(self._tmpdir), f"fixtures-{i}.json")
                with open(path, "w", encoding="utf-8") as out:
                    json.dump(doc, out)
                self._temp_names[path] = f"fixtures[{i}] (a dict)"
                argv += ["--fixtures", path]
            else:
                argv += ["--fixtures", os.fspath(doc)]
        for name, value in self._flags.items():
            argv += _flag(name, value)
        return argv + [str(a) for a in self._extra_args]

    def _child_env(self) -> Dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAS_MOCK_")}
        env["RUST_LOG"] = self._log_level  # the ready line is an INFO line
        env.update(self._env)
        return env

    def _pump(self) -> None:
        """Reads the server's output for its whole life, so the pipe never fills up."""
        assert self._proc is not None and self._proc.stdout is not None
        for raw in self._proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self._log.append(line)
            if self._ready_record is None:
                self._startup_output.append(line)
                record = _ready_record(line)
                if record is not None:
                    self._ready_at = time.perf_counter()
                    self._ready_record = record
                    self._changed.set()
        self._proc.stdout.close()
        self._changed.set()  # end of output: the process is exiting

    def _wait_ready(self) -> None:
        assert self._proc is not None
        if not self._changed.wait(self.startup_timeout):
            raise SasMockStartError(
                f"sas-mock was not ready within {self.startup_timeout}s:\n{self._output()}",
                output=self._output(), returncode=None)
        if self._ready_record is None:
            try:
                code = self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
            output = self._output()
            raise SasMockStartError(
                f"sas-mock exited with code {code} before it was ready:\n{output}",
                output=output, returncode=code)
        record = self._ready_record
        self.scheme = str(record.get("scheme") or "http")
        self.endpoint = str(record["listen"])
        self.host, _, port = self.endpoint.rpartition(":")
        self.port = int(port)
        self.url = f"{self.scheme}://{self.endpoint}"
        if isinstance(record.get("seed"), int):
            self.seed = record["seed"]
        import urllib.request

        handlers: List[Any] = [urllib.request.ProxyHandler({})]
        if self.scheme == "https":  # our own loopback server, whatever certificate it has
            import ssl

            handlers.append(urllib.request.HTTPSHandler(context=ssl._create_unverified_context()))
        self._opener = urllib.request.build_opener(*handlers)

    def _output(self) -> str:
        text = "\n".join(self._startup_output).strip()
        for path, name in self._temp_names.items():
            text = text.replace(path, name)
        return text

    # ----- the admin API ---------------------------------------------------------------------------

    def admin(self, method: str, path: str, body: Any = None,
              query: Optional[Mapping[str, Any]] = None, timeout: float = 30.0) -> Any:
        """One admin API call (``path`` under ``/__admin/``); returns the decoded JSON answer, or
        ``None`` for an empty one. An error answer raises :class:`SasMockError`."""
        import urllib.error
        import urllib.parse
        import urllib.request

        if self._opener is None:
            raise SasMockError("NotStarted", "the server is not running: use `with SasMock() as mock:`")
        url = f"{self.url}/__admin/{path.lstrip('/')}"
        params = {k: v for k, v in (query or {}).items() if v is not None}
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        elif method.upper() in ("POST", "PUT", "PATCH"):
            data = b""
        if self.admin_token:
            headers["Authorization"] = f"Bearer {self.admin_token}"
        request = urllib.request.Request(url, data=data, method=method.upper(), headers=headers)
        try:
            with self._opener.open(request, timeout=timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise _admin_error(error.code, error.read()) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            state = "running" if self.running else f"exited with code {self.returncode}"
            raise SasMockError("AdminUnreachable",
                               f"{method} {url} failed: {reason} (the server has {state})") from None
        return json.loads(raw) if raw.strip() else None

    def health(self) -> Dict[str, Any]:
        """``{"status": "ok", "version": …, "clock": …, "tasks": N}``."""
        return self.admin("GET", "health")

    def clock(self) -> Dict[str, Any]:
        """``{"mode": "manual", "now": "…Z", "epochMillis": …}``."""
        return self.admin("GET", "clock")

    def now(self) -> _dt.datetime:
        """The server's clock as an aware UTC datetime."""
        millis = self.clock()["epochMillis"]
        return _dt.datetime.fromtimestamp(millis / 1000, tz=_dt.timezone.utc)

    def advance(self, span: Span) -> Dict[str, Any]:
        """Move the manual clock forward: ``"5s"``, ``"250ms"``, ``"1.5m"``, ``"1h"``, a number of
        seconds or a ``timedelta``. Returns the new clock. 409 ``ClockNotManual`` on a system clock."""
        return self.admin("POST", "clock", {"advance": _span(span)})

    def set_time(self, when: Union[str, _dt.datetime, int, float]) -> Dict[str, Any]:
        """Set the manual clock: an RFC 3339 string, a datetime (naive means UTC) or epoch seconds."""
        return self.admin("POST", "clock", {"set": _instant(when)})

    def load_fixtures(self, fixtures: Fixture) -> Dict[str, Any]:
        """Load a fixture document (a dict, or a file's path) into the running server. Returns
        ``{"accounts": N, "tasks": N, "faults": N}``. The loaded fixtures become part of what
        :meth:`reset` returns to."""
        if not isinstance(fixtures, Mapping):
            with open(os.fspath(fixtures), encoding="utf-8") as source:
                fixtures = json.load(source)
        return self.admin("POST", "fixtures", fixtures)["loaded"]

    def add_fault(self, rule: Optional[Mapping[str, Any]] = None, **fields: Any) -> Dict[str, Any]:
        """Add a fault rule: ``add_fault({"match": {"action": "*"}, "error": "ServerError"})`` or
        ``add_fault(match={...}, error=..., times=1)``. Returns the rule with its ``id``."""
        return self.admin("POST", "faults", {**(rule or {}), **fields})

    def faults(self) -> List[Dict[str, Any]]:
        return self.admin("GET", "faults")["faults"]

    def remove_fault(self, fault_id: int) -> None:
        self.admin("DELETE", f"faults/{int(fault_id)}")

    def clear_faults(self, account_id: Optional[str] = None) -> None:
        """Remove every fault rule (fixture rules too, until the next reset), or one account's."""
        self.admin("DELETE", "faults", query={"accountId": account_id})

    def add_stub(self, stub: Optional[Mapping[str, Any]] = None, **fields: Any) -> Dict[str, Any]:
        """Answer an action with a canned body: ``add_stub(action="DescribeCloudCenterInstances",
        response={"Instances": []})``, with ``match``, ``status``, ``times``, ``delay``,
        ``accessKeyId``/``accountId`` as in a fixture. The newest matching stub answers. Returns the
        stub with its ``id``."""
        return self.admin("POST", "stubs", {**(stub or {}), **fields})

    def stubs(self, account_id: Optional[str] = None) -> List[Dict[str, Any]]:
        return self.admin("GET", "stubs", query={"accountId": account_id})["stubs"]

    def remove_stub(self, stub_id: int) -> None:
        self.admin("DELETE", f"stubs/{int(stub_id)}")

    def clear_stubs(self, account_id: Optional[str] = None) -> None:
        """Remove every stub (fixture stubs too, until the next reset), or one account's."""
        self.admin("DELETE", "stubs", query={"accountId": account_id})

    def add_limit(self, limit: Optional[Mapping[str, Any]] = None, **fields: Any) -> Dict[str, Any]:
        """Throttle an action on the mock's clock: ``add_limit(action="DescribeScanTaskProgress",
        rate="1/s", burst=1, retryAfter="1s")``. Returns the limit with its ``id``."""
        return self.admin("POST", "limits", {**(limit or {}), **fields})

    def limits(self, account_id: Optional[str] = None) -> List[Dict[str, Any]]:
        return self.admin("GET", "limits", query={"accountId": account_id})["limits"]

    def remove_limit(self, limit_id: int) -> None:
        self.admin("DELETE", f"limits/{int(limit_id)}")

    def clear_limits(self, account_id: Optional[str] = None) -> None:
        self.admin("DELETE", "limits", query={"accountId": account_id})

    def add_machine(self, machine: Optional[Mapping[str, Any]] = None, **fields: Any) -> Dict[str, Any]:
        """Add (or replace) a machine with its ``findings``, as in a fixture's ``machines``."""
        return self.admin("POST", "machines", {**(machine or {}), **fields})

    def machines(self, account_id: Optional[str] = None) -> List[Dict[str, Any]]:
        return self.admin("GET", "machines", query={"accountId": account_id})["machines"]

    def alerts(self, account_id: Optional[str] = None) -> List[Dict[str, Any]]:
        """What finished scans found: every alert with its status and handling."""
        return self.admin("GET", "alerts", query={"accountId": account_id})["alerts"]

    def tasks(self, account_id: Optional[str] = None,
              access_key_id: Optional[str] = None) -> List[Dict[str, Any]]:
        """Every task (or one account's); reading them does not count as a poll."""
        query = {"accountId": account_id, "accessKeyId": access_key_id}
        return self.admin("GET", "tasks", query=query)["tasks"]

    def task(self, task_id: int, account_id: Optional[str] = None,
             access_key_id: Optional[str] = None) -> Dict[str, Any]:
        query = {"accountId": account_id, "accessKeyId": access_key_id}
        return self.admin("GET", f"tasks/{int(task_id)}", query=query)

    def create_task(self, task: Optional[Mapping[str, Any]] = None, **fields: Any) -> Dict[str, Any]:
        """Create (or replace) a task: ``taskId``, ``accessKeyId``/``accountId``, ``targetInfo``,
        ``schedule``, ``progress``, all optional. Returns the task."""
        return self.admin("POST", "tasks", {**(task or {}), **fields})

    def delete_task(self, task_id: int, account_id: Optional[str] = None,
                    access_key_id: Optional[str] = None) -> None:
        query = {"accountId": account_id, "accessKeyId": access_key_id}
        self.admin("DELETE", f"tasks/{int(task_id)}", query=query)

    def requests(self, action: Optional[str] = None, access_key_id: Optional[str] = None,
                 account_id: Optional[str] = None, limit: Optional[int] = None, *,
                 task_id: Optional[int] = None, status: Optional[int] = None,
                 code: Optional[str] = None) -> List[Dict[str, Any]]:
        """The journal of RPC requests, oldest first (``limit`` keeps the newest N), filtered by
        action (any letter case), key, account, task id, HTTP status or error code."""
        query = {"action": action, "accessKeyId": access_key_id, "accountId": account_id,
                 "limit": limit, "taskId": task_id, "status": status, "code": code}
        return self.admin("GET", "requests", query=query)["requests"]

    def clear_requests(self, account_id: Optional[str] = None) -> None:
        self.admin("DELETE", "requests", query={"accountId": account_id})

    def reset(self, account_id: Optional[str] = None, *, clock: bool = False) -> None:
        """Back to the loaded fixtures: tasks, poll counts, fault rules, the journal (and used
        nonces), for every account or one. The server leaves its clock alone; ``clock=True`` also
        sets a manual clock to the current real time, as a fresh server would start."""
        if clock and self.clock_mode == "manual":  # first, so that the fixtures' tasks start then
            self.set_time(_dt.datetime.now(_dt.timezone.utc))
        self.admin("POST", "reset", query={"accountId": account_id})

    def sdk_config(self, **overrides: Any) -> Any:
        """An ``alibabacloud_tea_openapi.models.Config`` pointed at this server with the default
        credentials (needs the Tea SDK installed); keyword arguments override its fields."""
        from alibabacloud_tea_openapi.models import Config  # only if the caller uses the SDK

        fields: Dict[str, Any] = dict(access_key_id=self.access_key_id,
                                      access_key_secret=self.access_key_secret,
                                      protocol=self.scheme, endpoint=self.endpoint)
        fields.update(overrides)
        return Config(**fields)


# ----- helpers ---------------------------------------------------------------------------------------

def _fixture_documents(fixtures: Fixtures) -> List[Fixture]:
    if fixtures is None:
        return []
    if isinstance(fixtures, (str, bytes, os.PathLike, Mapping)):
        return [fixtures]  # type: ignore[list-item]
    return list(fixtures)


def _first_access_key(docs: Sequence[Fixture]) -> Tuple[str, str]:
    """The first account the fixtures define, else the embedded defaults' (any key is accepted
    in the default lenient mode, so these always work there)."""
    for doc in docs:
        for loaded in _json_documents(doc):
            for account in loaded.get("accounts") or []:
                if isinstance(account, Mapping) and account.get("accessKeyId") and not account.get("securityToken"):
                    return str(account["accessKeyId"]), str(account.get("accessKeySecret", ""))
    return DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET


def _json_documents(doc: Fixture) -> List[Mapping[str, Any]]:
    if isinstance(doc, Mapping):
        return [doc]
    path = os.fspath(doc)
    paths = ([os.path.join(path, n) for n in sorted(os.listdir(path)) if n.endswith(".json")]
             if os.path.isdir(path) else [path])
    found = []
    for p in paths:
        try:
            with open(p, encoding="utf-8") as source:
                loaded = json.load(source)
        except (OSError, ValueError):
            continue  # the server reports bad files itself, with the JSON path
        if isinstance(loaded, Mapping):
            found.append(loaded)
    return found


def _flag(name: str, value: Any) -> List[str]:
    option = "--" + name.replace("_", "-")
    if value is None or value is False:
        return []
    if value is True:
        return [option]
    if isinstance(value, (list, tuple)):
        return [part for item in value for part in _flag(name, item)]
    return [option, str(value)]


def _ready_record(line: str) -> Optional[Dict[str, Any]]:
    """The ready line's fields, whether at the top level or under "fields" (tracing's JSON)."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    fields = record.get("fields")
    merged = {**record, **fields} if isinstance(fields, dict) else record
    message = merged.get("message")
    if not (isinstance(message, str) and message.startswith(_READY_MESSAGE)):
        return None
    return merged if isinstance(merged.get("listen"), str) else None


def _admin_error(status: int, raw: bytes) -> SasMockError:
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if isinstance(body, dict) and "Code" in body:
        return SasMockError(str(body["Code"]), str(body.get("Message", "")), status=status,
                            request_id=body.get("RequestId"))
    text = raw.decode("utf-8", "replace").strip() or "(empty body)"
    return SasMockError(f"HTTP{status}", text, status=status)


def _span(span: Span) -> str:
    if isinstance(span, str):
        return span
    seconds = span.total_seconds() if isinstance(span, _dt.timedelta) else float(span)
    return f"{round(seconds * 1000)}ms"


def _instant(when: Union[str, _dt.datetime, int, float]) -> str:
    if isinstance(when, str):
        return when
    if isinstance(when, (int, float)):
        when = _dt.datetime.fromtimestamp(when, tz=_dt.timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    when = when.astimezone(_dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _terminate(proc: subprocess.Popen, timeout: float) -> None:
    if proc.poll() is None:
        try:
            proc.terminate()
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        except ProcessLookupError:
            pass


def _cleanup(proc: subprocess.Popen, tmpdir: str, timeout: float) -> None:
    """Runs once: at stop(), when the SasMock is garbage-collected, or at interpreter exit."""
    _terminate(proc, timeout)
    shutil.rmtree(tmpdir, ignore_errors=True)
