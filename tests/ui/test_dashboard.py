"""The dashboard in a real browser: headless Chromium, driven by Selenium, against the real binary.

No test sleeps: each waits (bounded) for the DOM to show the state it expects. A marker set on
`window` at the start of a test proves that what it then sees arrived without a reload.
"""

from __future__ import annotations

import re
import urllib.parse

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ADMIN_TOKEN, HEIGHT, MAIN_ACCOUNT, WIDTH, rpc, set_viewport

WAIT_S = 10
TARGET = '[{"type":"uuid","name":"web-1","target":"503201a7-14c6-4280-801b-1169ed420000"}]'


def wait_for(driver, condition, what: str, timeout: float = WAIT_S):
    """Polls `condition(driver)` until it is truthy (a stale element counts as not yet)."""
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(StaleElementReferenceException,)).until(
        condition, message=f"waited {timeout}s for {what}")


def text_of(driver, css: str) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, css)
    return found[0].text if found else ""


def live(driver):
    wait_for(driver, lambda d: text_of(d, "#connection") == "Live", "the dashboard to go live")
    driver.execute_script("window.__sasMockNoReload = true;")


def no_reload_happened(driver):
    assert driver.execute_script("return window.__sasMockNoReload === true;"), "the page reloaded"


def task_row(driver, task_id: int):
    for row in driver.find_elements(By.CSS_SELECTOR, "#tasks-content tbody tr"):
        if row.find_element(By.CSS_SELECTOR, "th").text.split("\n")[0] == str(task_id):
            return row
    return None


def task_cells(driver, task_id: int) -> dict[str, str]:
    """The task's row in the tasks table, column label -> text ({} while it is not shown)."""
    row = task_row(driver, task_id)
    if row is None:
        return {}
    labels = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#tasks-content thead th")]
    cells = [c.text for c in row.find_elements(By.CSS_SELECTOR, "th, td")]
    return dict(zip(labels, cells))


def task_progress(driver, task_id: int) -> str | None:
    return task_cells(driver, task_id).get("Progress")


def request_rows(driver, action: str | None = None, code: str | None = None):
    rows = driver.find_elements(By.CSS_SELECTOR, "#requests-body tr")
    return [r for r in rows
            if (action is None or r.find_element(By.CSS_SELECTOR, ".action").text == action)
            and (code is None or r.find_element(By.CSS_SELECTOR, ".code").text == code)]


def start_scan(client) -> int:
    from alibabacloud_sas20181203 import models

    return client.start_virus_scan_task(models.StartVirusScanTaskRequest(target_info=TARGET)).body.scan_task_id


def describe(client, task_id: int):
    from alibabacloud_sas20181203 import models

    return client.describe_scan_task_progress(models.DescribeScanTaskProgressRequest(task_id=task_id))


def sdk_error(call) -> Exception:
    with pytest.raises(Exception) as caught:
        call()
    return caught.value


def open_detail_with_keyboard(driver, row):
    row.send_keys(Keys.ENTER)
    wait_for(driver, lambda d: d.find_element(By.ID, "detail").is_displayed(), "the request detail")


# --------------------------------------------------------------------------------------------------


def test_the_page_loads_without_console_errors_and_says_where_to_point_the_sdk(page, mock):
    live(page)
    empty = page.find_element(By.ID, "requests-empty")
    assert empty.is_displayed()
    assert empty.text == f"No requests yet: point your SDK at {mock.url}"
    assert "No tasks yet" in text_of(page, "#tasks-content")
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC$", text_of(page, "#clock-now"))
    machines = page.find_element(By.ID, "machines-content")
    wait_for(page, lambda d: "web-1" in machines.text and "db-1" in machines.text, "the fixture machines")
    faults = page.find_element(By.ID, "faults-content")
    wait_for(page, lambda d: "NoPermission" in faults.text, "the fixture fault rules")
    assert page.execute_script("return document.title") == "sas-mock dashboard"


def test_a_task_started_by_the_sdk_appears_live_and_advance_5_s_finishes_it(page, tea):
    live(page)
    client = tea()
    task_id = start_scan(client)
    wait_for(page, lambda d: task_progress(d, task_id) == "init", f"task {task_id} in init")
    wait_for(page, lambda d: request_rows(d, "StartVirusScanTask"), "the StartVirusScanTask row")
    assert describe(client, task_id).body.scan_task_progress == "init"
    wait_for(page, lambda d: task_cells(d, task_id).get("Polls") == "1", "the poll count to reach 1")

    page.find_element(By.CSS_SELECTOR, "button[data-advance='5s']").click()

    wait_for(page, lambda d: task_progress(d, task_id) == "Success", f"task {task_id} to reach Success")
    assert "Advanced 5s" in text_of(page, "#clock-message")
    assert describe(client, task_id).body.scan_task_progress == "Success"
    no_reload_happened(page)


def test_a_forced_403_is_an_error_row_whose_detail_names_the_code_and_the_fault(page, mock, tea):
    live(page)
    rule = mock.admin("POST", "faults", {"match": {"action": "DescribeScanTaskProgress"},
                                         "error": "NoPermission", "times": 1})
    err = sdk_error(lambda: describe(tea(), 100001))
    assert getattr(err, "code", None) == "NoPermission"

    rows = wait_for(page, lambda d: request_rows(d, "DescribeScanTaskProgress", "NoPermission"), "the 403 row")
    row = rows[0]
    assert "is-error" in row.get_attribute("class")
    assert "403" in row.find_element(By.CSS_SELECTOR, ".status").text
    open_detail_with_keyboard(page, row)
    facts = text_of(page, "#detail-summary")
    assert "NoPermission" in facts and "403" in facts
    assert f"Fault #{rule['id']}" in text_of(page, "#detail-source")
    assert "caller has no permission" in text_of(page, "#detail-response")
    assert page.switch_to.active_element == page.find_element(By.ID, "detail-heading")
    spent = wait_for(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#faults-content tr.spent"), "a spent rule")
    assert "spent" in spent[0].text

    page.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_for(page, lambda d: not d.find_element(By.ID, "detail").is_displayed(), "the detail to close")
    assert page.switch_to.active_element.get_attribute("data-seq") == row.get_attribute("data-seq")
    no_reload_happened(page)


def test_a_wrong_v3_secret_shows_the_servers_string_to_sign_line_by_line(page, tea):
    live(page)
    err = sdk_error(lambda: describe(tea(secret="not-the-secret"), 100001))
    # The SDK appends " request id: …" to the server's message.
    server_sts = str(err.message).split("server string to sign is:", 1)[1].split(" request id:", 1)[0]

    rows = wait_for(page, lambda d: request_rows(d, code="SignatureDoesNotMatch"), "the signature error row")
    rows[0].click()
    lines = wait_for(page, lambda d: [li.text for li in d.find_elements(By.CSS_SELECTOR, "#detail-sts ol li")],
                     "the string to sign")
    assert lines == server_sts.split("\n")
    assert lines[0] == "ACS3-HMAC-SHA256" and re.fullmatch(r"[0-9a-f]{64}", lines[1])
    # Secrets and signatures are masked in the parameters, and the Authorization header is not a parameter.
    assert "not-the-secret" not in page.find_element(By.ID, "detail").text


def test_a_wrong_v2_secret_shows_each_signed_parameter_on_its_own_line(page, tea):
    live(page)
    err = sdk_error(lambda: describe(tea(secret="not-the-secret", v2=True), 100001))
    server_sts = str(err.message).split("server string to sign is:", 1)[1].split(" request id:", 1)[0]
    method, path, query = server_sts.split("&")
    expected = [tuple(pair.split("=", 1)) for pair in urllib.parse.unquote(query).split("&")]

    rows = wait_for(page, lambda d: request_rows(d, code="SignatureDoesNotMatch"), "the signature error row")
    open_detail_with_keyboard(page, rows[0])
    sts = page.find_element(By.ID, "detail-sts")
    wait_for(page, lambda d: sts.is_displayed(), "the string to sign")
    assert sts.find_element(By.CSS_SELECTOR, ".sts-head").text == f"Method {method} Path {urllib.parse.unquote(path)}"
    shown = [(row.find_element(By.CSS_SELECTOR, "th").text,
              row.find_elements(By.CSS_SELECTOR, "td")[1].text.split("\n")[0])
             for row in sts.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert shown == expected, "one line per signed parameter, in the server's order"
    signed = dict(shown)
    assert (signed["AccessKeyId"], signed["Action"], signed["TaskId"]) == ("testid", "DescribeScanTaskProgress", "100001")
    assert "Signature" not in signed, "the signature itself is never signed"


def test_the_clock_advances_by_any_duration_and_reset_empties_the_journal(page, mock):
    live(page)
    before = mock.admin("GET", "clock")["epochMillis"]
    field = page.find_element(By.ID, "advance-by")
    field.send_keys("1.5m", Keys.ENTER)
    wait_for(page, lambda d: "Advanced 1.5m" in text_of(d, "#clock-message"), "the clock to move")
    assert mock.admin("GET", "clock")["epochMillis"] - before == 90_000

    field.clear()
    field.send_keys("soon", Keys.ENTER)
    wait_for(page, lambda d: "Could not advance" in text_of(d, "#clock-message"), "the refusal")

    assert rpc(mock, Action="DescribeScanTaskProgress", TaskId="100003", AccessKeyId="testid") == 200
    wait_for(page, lambda d: request_rows(d, "DescribeScanTaskProgress"), "the request row")
    select = page.find_element(By.ID, "account")
    wait_for(page, lambda d: MAIN_ACCOUNT in [o.get_attribute("value") for o in select.find_elements(By.TAG_NAME, "option")],
             "the account in the selector")
    select.find_element(By.CSS_SELECTOR, f"option[value='{MAIN_ACCOUNT}']").click()
    reset = page.find_element(By.ID, "reset")
    assert reset.text == f"Reset account {MAIN_ACCOUNT}"
    reset.click()
    wait_for(page, lambda d: d.find_element(By.ID, "requests-empty").is_displayed(), "the empty journal")
    assert mock.admin("GET", "requests")["requests"] == []
    no_reload_happened(page)


def test_a_narrow_window_stacks_the_sections_without_sideways_scrolling(page, mock):
    live(page)
    assert rpc(mock, Action="DescribeScanTaskProgress", TaskId="100002") == 200
    wait_for(page, lambda d: request_rows(d, "DescribeScanTaskProgress"), "the request row")
    page.set_window_size(400, 900)
    wait_for(page, lambda d: d.execute_script("return window.innerWidth") <= 400, "the narrow window")
    overflow = page.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    requests = page.find_element(By.ID, "requests").rect
    tasks = page.find_element(By.ID, "tasks").rect
    assert tasks["y"] >= requests["y"] + requests["height"], "tasks come below requests"


def test_the_keyboard_reaches_every_control_and_the_request_rows(page, mock):
    live(page)
    assert rpc(mock, Action="DescribeScanTaskProgress", TaskId="100001") == 200
    wait_for(page, lambda d: request_rows(d, "DescribeScanTaskProgress"), "the request row")
    page.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
    reached = []
    for _ in range(40):
        ActionChains(page).send_keys(Keys.TAB).perform()
        active = page.switch_to.active_element
        reached.append(active.get_attribute("id") or active.get_attribute("data-seq") or active.text)
        if active.tag_name == "tr":
            break
    assert "account" in reached and "reset" in reached and "advance-by" in reached, reached
    assert page.switch_to.active_element.tag_name == "tr", f"Tab never reached a request row: {reached}"
    page.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for(page, lambda d: d.find_element(By.ID, "detail").is_displayed(), "the detail")
    outline = page.execute_script(
        "return getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused element shows its focus"


# What the machines, alerts and limits endpoints answer in builds that have them (this one may not):
# the page is given them by a fetch wrapper installed before its own script runs.
FAKE_SECTIONS = r"""
(() => {
  const real = window.fetch.bind(window);
  const json = (body) => new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } });
  const lists = {
    '/__admin/machines': { machines: [{ accountId: '1234567890123456', uuid: '503201a7-14c6-4280-801b-1169ed420000',
      instanceId: 'i-bp1example', instanceName: 'web-1', internetIp: '47.0.0.1', intranetIp: '172.16.0.5', groupId: 1001,
      findings: [{ name: 'Trojan:Linux/Mirai', level: 'serious', type: 'Malicious process (cloud scan)',
        details: { 'File path': '/tmp/.x' } }] }] },
    '/__admin/alerts': { alerts: [{ accountId: '1234567890123456', id: 7, uuid: '503201a7-14c6-4280-801b-1169ed420000',
      instanceName: 'web-1', name: 'Trojan:Linux/Mirai', level: 'serious', type: 'Malicious process (cloud scan)',
      status: 1, dealed: 'N', occurrenceTime: '2026-01-01T00:00:06Z', lastTime: '2026-01-01T00:00:06Z' }] },
    '/__admin/limits': { limits: [{ id: 3, origin: 'fixture', accountId: null, action: 'DescribeScanTaskProgress',
      rate: '2/s', burst: 2, error: 'Throttling.User', retryAfter: '500ms' }] },
  };
  window.fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input.url, window.location.href);
    if (url.pathname === '/__admin/ui/config') {
      const config = await (await real(input, init)).json();
      config.sections = { machines: true, alerts: true, limits: true };
      return json(config);
    }
    if (url.pathname === '/__admin/limits' && url.searchParams.has('accountId')) {
      return new Response(JSON.stringify({ Code: 'InvalidAdminRequest', Message: 'unknown filter' }), { status: 400 });
    }
    return url.pathname in lists ? json(lists[url.pathname]) : real(input, init);
  };
})();
"""


def test_machines_alerts_and_limits_show_when_the_build_serves_them(page, mock):
    script = page.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": FAKE_SECTIONS})
    try:
        page.get(f"{mock.url}/__admin/ui")
        live(page)
        machines = wait_for(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#machines-content tbody tr"), "machines")
        assert "web-1" in machines[0].text and "1: Trojan:Linux/Mirai" in machines[0].text
        alerts = page.find_elements(By.CSS_SELECTOR, "#alerts-content tbody tr")
        assert "Trojan:Linux/Mirai" in alerts[0].text and "serious" in alerts[0].text
        assert "00:00:06.000" in alerts[0].text, "times are shown on the mock clock"
        limits = page.find_elements(By.CSS_SELECTOR, "#limits-content tbody tr")
        assert "2/s" in limits[0].text and "Throttling.User" in limits[0].text

        # A section whose endpoint refuses a read says so, and the rest of the page goes on.
        assert rpc(mock, Action="DescribeScanTaskProgress", TaskId="100001", AccessKeyId="testid") == 200
        select = page.find_element(By.ID, "account")
        option = f"option[value='{MAIN_ACCOUNT}']"
        wait_for(page, lambda d: select.find_elements(By.CSS_SELECTOR, option), "the account in the selector")
        select.find_element(By.CSS_SELECTOR, option).click()
        wait_for(page, lambda d: "400 InvalidAdminRequest" in text_of(d, "#limits-content"), "the refusal")
        wait_for(page, lambda d: request_rows(d, "DescribeScanTaskProgress"), "the account's requests")
        assert text_of(page, "#connection") == "Live"
    finally:
        page.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})


def test_with_an_admin_token_the_page_shows_nothing_until_the_token_is_given(driver, guarded_mock, console,
                                                                          expect_console_errors):
    assert rpc(guarded_mock, Action="StartVirusScanTask", TargetInfo=TARGET) == 200
    set_viewport(driver, WIDTH, HEIGHT)
    driver.get(f"{guarded_mock.url}/__admin/ui")
    gate = wait_for(driver, lambda d: d.find_element(By.ID, "token-gate").is_displayed()
                    and d.find_element(By.ID, "token-gate"), "the token form")
    assert not driver.find_element(By.ID, "dashboard").is_displayed()
    assert "StartVirusScanTask" not in driver.page_source
    assert console.severe() == [], "asking for the token provokes no error"

    expect_console_errors("401")  # the wrong token below is refused, and the browser logs that
    field = driver.find_element(By.ID, "token-input")
    field.send_keys("not-the-token", Keys.ENTER)
    wait_for(driver, lambda d: "refused" in text_of(d, "#token-message"), "the refusal")
    assert not driver.find_element(By.ID, "dashboard").is_displayed()

    field.clear()
    field.send_keys(ADMIN_TOKEN, Keys.ENTER)
    wait_for(driver, lambda d: request_rows(d, "StartVirusScanTask"), "the data once the token is given")
    assert not gate.is_displayed()
    assert ADMIN_TOKEN not in driver.current_url
    assert driver.execute_script("return sessionStorage.getItem('sas-mock.adminToken')") == ADMIN_TOKEN

    driver.find_element(By.ID, "forget-token").click()
    wait_for(driver, lambda d: d.find_element(By.ID, "token-gate").is_displayed(), "the form again")
    assert "StartVirusScanTask" not in driver.page_source


def test_a_screenshot_of_a_busy_dashboard(page, mock, tea, artifact_dir):
    """Not an assertion of looks: the picture the README shows, saved as the CI artefact."""
    live(page)
    client = tea()
    done = start_scan(client)
    running = start_scan(client)
    describe(client, done)
    page.find_element(By.CSS_SELECTOR, "button[data-advance='1s']").click()
    wait_for(page, lambda d: task_progress(d, done) == "Processing", "the first task to start")
    describe(client, running)
    mock.admin("POST", "faults", {"match": {"action": "DescribeScanTaskProgress", "taskId": running},
                                  "error": "ServerError", "times": 2})
    sdk_error(lambda: describe(client, running))
    page.find_element(By.CSS_SELECTOR, "button[data-advance='5s']").click()
    wait_for(page, lambda d: task_progress(d, done) == "Success", "the first task to finish")
    sdk_error(lambda: describe(tea(secret="not-the-secret", v2=True), done))
    row = wait_for(page, lambda d: request_rows(d, code="SignatureDoesNotMatch"), "the signature error")[0]
    newest = start_scan(client)
    wait_for(page, lambda d: task_progress(d, newest) == "init", "the newest task")
    row.click()
    wait_for(page, lambda d: d.find_element(By.ID, "detail-sts").is_displayed(), "the string to sign")
    page.execute_script("window.scrollTo(0, 0); document.querySelector('.requests-scroll').scrollLeft = 0;")
    path = artifact_dir / "dashboard.png"
    assert page.save_screenshot(str(path)), "the screenshot was saved"
    # The whole page too, for a reader who wants what is below the fold.
    height = page.execute_script("return document.documentElement.scrollHeight")
    set_viewport(page, WIDTH, min(max(HEIGHT, height), 4000))
    page.save_screenshot(str(artifact_dir / "dashboard-full.png"))
    assert path.stat().st_size > 10_000
