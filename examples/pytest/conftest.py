"""A pytest fixture that runs sas-mock for a test session: copy this file into your project.

It starts the binary on a free loopback port (read back from its ready log line), gives the tests
its endpoint, resets it between tests and stops it with SIGTERM at the end.
"""

import json
import os
import subprocess
import threading
import urllib.request

import pytest

SAS_MOCK = os.environ.get("SAS_MOCK_BIN", "sas-mock")


class SasMock:
    def __init__(self, *args):
        self.proc = subprocess.Popen(
            [SAS_MOCK, "--listen", "127.0.0.1:0", "--clock", "manual", "--log-format", "json", *args],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
        for line in self.proc.stderr:  # the first JSON line that says "ready" carries the address
            record = json.loads(line)
            if record.get("message") == "sas-mock ready":
                self.endpoint = record["listen"]  # "127.0.0.1:PORT", for Config(endpoint=...)
                break
        else:
            raise RuntimeError("sas-mock exited before it was ready")
        # Keep reading its log (one line per request) so the pipe never fills up and blocks it.
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()

    def admin(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://{self.endpoint}/__admin/{path}", data=data, method=method)
        with urllib.request.urlopen(request, timeout=5) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def advance(self, span):
        return self.admin("POST", "clock", {"advance": span})

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=5)


@pytest.fixture(scope="session")
def sas_mock():
    mock = SasMock()
    yield mock
    mock.stop()


@pytest.fixture(autouse=True)
def fresh_sas_mock(sas_mock):
    sas_mock.admin("POST", "reset")
    yield
