"""Fixtures for the dashboard's browser tests: the mock, a headless Chromium, SDK clients.

Chromium and chromedriver are Debian's (/usr/bin/chromium, /usr/bin/chromedriver, or $CHROMIUM and
$CHROMEDRIVER); Selenium never downloads anything. Every test ends by asserting that the browser's
console logged nothing SEVERE, except what the test declared with `expect_console_errors`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from sas_mock import SasMock  # the project's own package, from python/ (tests/ui/run.sh sets PYTHONPATH)

REPO_ROOT = Path(__file__).resolve().parents[2]
UI_FIXTURES = Path(__file__).resolve().parent / "fixtures.json"
DEFAULT_FIXTURES = REPO_ROOT / "fixtures" / "default.json"
ARTIFACT_DIR = REPO_ROOT / "target" / "ui"
ADMIN_TOKEN = "ui-test-token"
MAIN_KEY = ("testid", "testsecret")
MAIN_ACCOUNT = "1234567890123456"
WIDTH, HEIGHT = 1280, 800


def _mock(admin_token: str | None = None) -> SasMock:
    """A server on a free loopback port with a manual clock and seed 1."""
    return SasMock([DEFAULT_FIXTURES, UI_FIXTURES], seed=1, admin_token=admin_token).start()


def rpc(mock: SasMock, **params) -> int:
    """An unsigned GET; returns the status."""
    query = urllib.parse.urlencode({"Version": "2018-12-03", **params})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{mock.url}/?{query}", timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def set_viewport(driver, width: int, height: int) -> None:
    """Sizes the window so that the page itself (the viewport) is width x height."""
    driver.set_window_size(width, height)
    inner_width, inner_height = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(2 * width - inner_width, 2 * height - inner_height)


@pytest.fixture(scope="session")
def mock():
    server = _mock()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def guarded_mock():
    server = _mock(admin_token=ADMIN_TOKEN)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def driver():
    profile = tempfile.mkdtemp(prefix="sas-mock-ui-chromium-")
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--disable-extensions", "--disable-default-apps",
                 f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}", "--lang=en-US"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    browser = webdriver.Chrome(service=service, options=options)
    browser.set_page_load_timeout(15)
    browser.set_script_timeout(10)
    yield browser
    browser.quit()
    shutil.rmtree(profile, ignore_errors=True)


class Console:
    """The browser console since the last check; SEVERE entries fail the test unless expected."""

    def __init__(self, driver):
        self.driver = driver
        self.expected: list[str] = []
        self.seen: list[dict] = []

    def drain(self) -> list[dict]:
        entries = self.driver.get_log("browser")
        self.seen.extend(entries)
        return entries

    def severe(self) -> list[dict]:
        self.drain()
        return [e for e in self.seen if e.get("level") == "SEVERE"
                and not any(fragment in e.get("message", "") for fragment in self.expected)]


@pytest.fixture
def console(driver):
    watcher = Console(driver)
    watcher.drain()  # whatever an earlier test left
    yield watcher
    errors = watcher.severe()
    assert not errors, "the browser console logged errors:\n" + "\n".join(e["message"] for e in errors)


@pytest.fixture
def expect_console_errors(console):
    """expect_console_errors("401") lets SEVERE entries containing that text through."""
    return console.expected.append


@pytest.fixture
def page(driver, mock, console):
    """The dashboard of a freshly reset mock, at 1280x800."""
    mock.admin("DELETE", "faults")
    mock.admin("POST", "reset")
    set_viewport(driver, WIDTH, HEIGHT)
    driver.get(f"{mock.url}/__admin/ui")
    return driver


@pytest.fixture
def tea(mock):
    """tea(secret=..., v2=False): the current Python SDK, as an application configures it."""
    from alibabacloud_sas20181203.client import Client
    from alibabacloud_tea_openapi.models import Config

    def make(key_id: str = MAIN_KEY[0], secret: str = MAIN_KEY[1], v2: bool = False) -> Client:
        config = Config(access_key_id=key_id, access_key_secret=secret, protocol="http",
                        endpoint=mock.endpoint)
        if v2:
            config.signature_algorithm = "v2"
        return Client(config)

    return make


@pytest.fixture(scope="session")
def artifact_dir() -> Path:
    ARTIFACT_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACT_DIR
