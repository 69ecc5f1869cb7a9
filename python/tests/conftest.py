"""Helpers shared by the package's tests."""

import json
import os
import sys
import textwrap
import urllib.error
import urllib.parse
import urllib.request

import pytest


def rpc(mock, **params):
    """An unsigned RPC GET (accepted in the default lenient mode): (status, decoded body)."""
    query = urllib.parse.urlencode({"Version": "2018-12-03", **params})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{mock.url}/?{query}", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def alive(pid):
    """True while the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture
def fake_server(tmp_path):
    """Writes an executable stand-in for sas-mock that runs the given Python body."""
    def make(body):
        path = tmp_path / "fake-sas-mock"
        path.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
        path.chmod(0o755)
        return str(path)
    return make

