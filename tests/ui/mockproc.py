"""One sas-mock process for the browser tests, and its admin API (standard library only)."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 10.0

# Requests to the mock never go through a proxy taken from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def mock_binary() -> Path:
    raw = os.environ.get("SAS_MOCK_BIN") or str(REPO_ROOT / "target" / "debug" / "sas-mock")
    path = Path(raw)
    if not path.is_file() or not os.access(path, os.X_OK):
        raise RuntimeError(f"no executable sas-mock at {path}: build it (cargo build) or set SAS_MOCK_BIN")
    return path


class MockProcess:
    """`sas-mock serve` on a free loopback port, manual clock, JSON log; the port read from the
    log line whose message is "sas-mock ready"."""

    def __init__(self, *extra_args: str, admin_token: str | None = None):
        self.admin_token = admin_token
        self.port: int | None = None
        self._log: deque[str] = deque(maxlen=200)
        args = [str(mock_binary()), "serve", "--listen", "127.0.0.1:0", "--clock", "manual",
                "--log-format", "json", "--seed", "1", *extra_args]
        if admin_token:
            args += ["--admin-token", admin_token]
        self._proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, env=dict(os.environ, RUST_LOG="info"))
        ready = threading.Event()
        threading.Thread(target=self._pump, args=(ready,), daemon=True).start()
        ready.wait(READY_TIMEOUT_S)
        if self.port is None:
            self.stop()
            raise RuntimeError(f"sas-mock did not log 'sas-mock ready' within {READY_TIMEOUT_S:.0f}s:\n"
                               + "\n".join(self._log))

    def _pump(self, ready: threading.Event) -> None:
        # Reads every log line while the server lives, so that the pipe never fills up.
        for raw in self._proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self._log.append(line)
            if self.port is None:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                fields = record.get("fields", record)
                if fields.get("message") == "sas-mock ready" and "listen" in fields:
                    self.port = int(str(fields["listen"]).rsplit(":", 1)[1])
                    ready.set()
        ready.set()

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def admin(self, method: str, path: str, body=None, **query):
        url = f"{self.url}/__admin/{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.admin_token:
            headers["Authorization"] = f"Bearer {self.admin_token}"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with _OPENER.open(request, timeout=5) as response:
                raw = response.read()
        except urllib.error.HTTPError as err:
            raise AssertionError(f"admin {method} {path}: {err.code} {err.read().decode('utf-8', 'replace')}") from None
        return json.loads(raw) if raw else None

    def rpc(self, **params) -> int:
        """An unsigned GET; returns the status."""
        query = urllib.parse.urlencode({"Version": "2018-12-03", **params})
        try:
            with _OPENER.open(f"{self.url}/?{query}", timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as err:
            return err.code
