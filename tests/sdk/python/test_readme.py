"""Every Python and Node code block of the README runs as written against a server with the default
fixtures (the port in the block is rewritten to the test server's).

A Python block that defines pytest tests is run by pytest with the package's plugin (it starts its
own server); any other block is run as a script with the pinned SDKs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver import REPO_ROOT, MockServer, mock_binary

README = REPO_ROOT / "README.md"
NODE_DIR = REPO_ROOT / "tests" / "sdk"


def blocks(language: str) -> list[tuple[int, str]]:
    """The README's code blocks in `language`, with the line each starts on."""
    found, inside, start, lines = [], False, 0, []
    for number, line in enumerate(README.read_text(encoding="utf-8").splitlines(), start=1):
        if not inside and line.strip() == f"```{language}":
            inside, start, lines = True, number, []
        elif inside and line.strip() == "```":
            inside = False
            found.append((start, "\n".join(lines) + "\n"))
        elif inside:
            lines.append(line)
    return found


def test_the_readme_has_the_snippets_this_file_runs():
    assert len(blocks("python")) >= 4
    assert len(blocks("js")) >= 2


@pytest.fixture(scope="module")
def server():
    mock = MockServer("lenient")
    yield mock
    mock.stop()


def run(command: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("start,code", blocks("python"), ids=lambda v: f"line-{v}" if isinstance(v, int) else "")
def test_a_readme_python_block_runs_as_written(start, code, server, tmp_path):
    if re.search(r"^def test_", code, re.M):
        path = tmp_path / f"test_readme_{start}.py"
        path.write_text(code, encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT / "python"), SAS_MOCK_BIN=str(mock_binary()))
        done = run([sys.executable, "-m", "pytest", "-q", "-p", "sas_mock.pytest_plugin",
                    "-p", "no:cacheprovider", str(path)], tmp_path, env)
    else:
        server.reset()
        script = re.sub(r"\b8080\b", str(server.port), code)
        done = run([sys.executable, "-c", script], tmp_path)
    assert done.returncode == 0, f"README line {start}:\n{done.stdout}\n{done.stderr}"


@pytest.mark.parametrize("start,code", blocks("js"), ids=lambda v: f"line-{v}" if isinstance(v, int) else "")
def test_a_readme_node_block_runs_as_written(start, code, server):
    server.reset()
    script = NODE_DIR / f".readme-{start}.js"
    script.write_text(re.sub(r"\b8080\b", str(server.port), code), encoding="utf-8")
    try:
        done = run(["node", str(script)], NODE_DIR)
    finally:
        script.unlink()
    assert done.returncode == 0, f"README line {start}:\n{done.stdout}\n{done.stderr}"
    assert done.stdout.strip(), f"README line {start} printed nothing"
