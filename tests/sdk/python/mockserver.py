"""Starts a sas-mock process and talks to its admin API (standard library only, no SDK involved)."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
READY_TIMEOUT_S = 10.0

# Requests to the mock must never go through a proxy taken from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def mock_binary() -> Path:
    """The server binary: $SAS_MOCK_BIN, else the repo's debug build."""
    raw = os.environ.get("SAS_MOCK_BIN") or str(REPO_ROOT / "target" / "debug" / "sas-mock")
    path = Path(raw)
    if not path.is_file() or not os.access(path, os.X_OK):
        raise RuntimeError(
            f"sas-mock binary not found or not executable at {path}; "
            "build it (cargo build) or point SAS_MOCK_BIN at it"
        )
    return path


class MockServer:
    """One running `sas-mock serve` with a manual clock, in the given auth mode."""

    def __init__(self, auth: str, extra_args: tuple[str, ...] = (), cafile: str | None = None):
        """`extra_args` go to `sas-mock serve`; `cafile` makes the admin calls HTTPS, trusting it."""
        self.auth = auth
        self.scheme = "https" if cafile else "http"
        self._opener = _OPENER
        self.port: int | None = None
        self._log: deque[str] = deque(maxlen=200)
        env = dict(os.environ, RUST_LOG="info")
        self._proc = subprocess.Popen(
            [
                str(mock_binary()), "serve",
                "--listen", "127.0.0.1:0",
                "--clock", "manual",
                "--seed", "1",
                "--auth", auth,
                "--log-format", "json",
                *extra_args,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        ready = threading.Event()

        def pump() -> None:
            # Reads every log line for as long as the server lives, so the pipe never fills up.
            for raw_line in self._proc.stderr:
                line = raw_line.decode("utf-8", "replace").rstrip("\n")
                self._log.append(line)
                if self.port is None:
                    try:
                        record = json.loads(line)
                    except ValueError:
                        continue
                    if record.get("message") == "sas-mock ready" and "listen" in record:
                        self.port = int(str(record["listen"]).rsplit(":", 1)[1])
                        ready.set()
            ready.set()

        threading.Thread(target=pump, name=f"sas-mock-{auth}-log", daemon=True).start()
        ready.wait(READY_TIMEOUT_S)
        if self.port is None:
            self.stop()
            raise RuntimeError(
                f"sas-mock --auth {auth} did not log 'sas-mock ready' within {READY_TIMEOUT_S:.0f}s "
                f"(exit code {self._proc.poll()}); its output:\n" + "\n".join(self._log)
            )
        if cafile:
            # The server writes its certificate before it logs ready, so it can be trusted now.
            context = ssl.create_default_context(cafile=cafile)
            self._opener = urllib.request.build_opener(
                urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
            )

    # --- lifecycle -----------------------------------------------------------------------------

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(list(self._log)[-lines:])

    # --- admin API -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def admin(self, method: str, path: str, body=None, query: dict | None = None):
        url = f"{self.base_url}/__admin/{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None
        headers = {}
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with self._opener.open(req, timeout=5) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as err:
            raise AssertionError(
                f"admin {method} {path} answered {err.code}: {err.read().decode('utf-8', 'replace')}"
            ) from None
        return json.loads(raw) if raw else None

    def reset(self) -> None:
        # DELETE /__admin/faults drops every rule, the fixtures' 403403/500500 ones included, so it
        # must come before the reset, which restores the fixture rules (and tasks, and the journal).
        self.admin("DELETE", "faults")
        self.admin("POST", "reset")

    def advance(self, span: str) -> None:
        self.admin("POST", "clock", {"advance": span})

    def add_fault(self, **rule) -> dict:
        return self.admin("POST", "faults", rule)

    def create_task(self, **spec) -> dict:
        return self.admin("POST", "tasks", spec)

    def tasks(self, **query) -> list[dict]:
        return self.admin("GET", "tasks", query=query)["tasks"]

    def journal(self, **query) -> list[dict]:
        return self.admin("GET", "requests", query=query)["requests"]

    def last_request(self, action: str) -> dict:
        entries = self.journal(action=action, limit=1)
        assert entries, f"the journal holds no {action} request"
        return entries[-1]

    def task(self, task_id: int, **query) -> dict:
        """One task with its poll cadence (polls, firstPoll, lastPoll, shortestPollIntervalMillis)."""
        return self.admin("GET", f"tasks/{int(task_id)}", query=query or None)

    def stubs(self) -> list[dict]:
        return self.admin("GET", "stubs")["stubs"]

    def limits(self) -> list[dict]:
        return self.admin("GET", "limits")["limits"]

    def faults(self) -> list[dict]:
        return self.admin("GET", "faults")["faults"]


class AddedRules:
    """Stubs, limits and fault rules added by one test, removed again when it ends (`remove_all`).

    The reset before each test drops them anyway; removing them as soon as the test ends keeps a
    test's rules from outliving it on the session's server (a debugger, the dashboard)."""

    def __init__(self, mock: MockServer):
        self._mock = mock
        self._added: list[tuple[str, int]] = []

    def _add(self, kind: str, spec: dict) -> dict:
        rule = self._mock.admin("POST", kind, spec)
        self._added.append((kind, rule["id"]))
        return rule

    def stub(self, **spec) -> dict:
        """POST /__admin/stubs: action, response; optionally match, status, times, delay, accessKeyId."""
        return self._add("stubs", spec)

    def limit(self, **spec) -> dict:
        """POST /__admin/limits: action, rate; optionally burst, error, retryAfter, accessKeyId."""
        return self._add("limits", spec)

    def fault(self, **spec) -> dict:
        """POST /__admin/faults: match, and error or network; optionally times, delay, status."""
        return self._add("faults", spec)

    def current(self, kind: str, rule_id: int) -> dict | None:
        """The rule as the server lists it now (with its `used`, `fired` or `throttled` count), or None."""
        return next((r for r in self._mock.admin("GET", kind)[kind] if r["id"] == rule_id), None)

    def remove_all(self) -> None:
        for kind, rule_id in reversed(self._added):
            if self.current(kind, rule_id) is not None:
                self._mock.admin("DELETE", f"{kind}/{rule_id}")
        self._added.clear()
