"""The dashboard at /__admin/ in a real browser: headless Chromium (Debian's
``chromium`` and ``chromium-driver``, installed by scripts/install-deps.sh) driven by
Selenium, against the release binary serving with ``--no-cors``.

A screenshot of each view is written to Tests/Contract/.output/dashboard/ (git-ignored)
for a person to look at.
"""

from __future__ import annotations

import os
import time

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import HERE, serve_process

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS = HERE / ".output" / "dashboard"
POE_KEY = "sk_test_poe"


@pytest.fixture(scope="module")
def mock():
    with serve_process("--no-cors") as api:
        yield api


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # Root in CI has no display and no user namespace for Chromium's sandbox.
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Selenium must not look for (or download) a driver: Debian's is the one.
    os.environ["SE_OFFLINE"] = "true"
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def open_dashboard(browser, api):
    browser.get(f"http://127.0.0.1:{api.port}/__admin/")
    wait_for(browser, lambda: "default" in text(browser, "scenario-line"))


def wait_for(browser, condition, timeout=2.0):
    """The condition's first truthy value. The page redraws its lists on every refresh:
    an element found just before a redraw is gone when read, so the condition is tried
    again on a fresh lookup."""
    return WebDriverWait(browser, timeout, poll_frequency=0.05, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda _: condition()
    )


def text(browser, element_id):
    return browser.find_element(By.ID, element_id).text


def console_errors(browser):
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def screenshot(browser, name):
    assert browser.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def request_row(browser, path):
    """The newest row of the request list whose target starts with ``path``, read in one
    script (the list is redrawn as requests arrive): its target, status text and class."""
    return browser.execute_script("""
        for (const row of document.querySelectorAll('#requests tr[data-id]')) {
            const target = row.querySelector('.row-toggle').textContent, status = row.querySelector('.status');
            if (target.startsWith(arguments[0])) return {target, status: status.textContent, class: status.className};
        }
        return null;""", path)


def test_the_page_is_one_document_with_nothing_to_fetch(mock):
    page = mock.get("/__admin/", headers={"Accept": "*/*"})
    assert page.status == 200 and page.content_type == "text/html; charset=utf-8"
    html = page.body.decode()
    assert "<script>" in html and "<style>" in html
    for reference in ("src=", "http://", "https://", "@import", "url("):
        assert reference not in html, reference
    assert "connect-src 'self'" in page.header("Content-Security-Policy")
    assert page.header("Access-Control-Allow-Origin") is None


def test_a_client_request_shows_up_within_2_seconds_with_its_status(browser, mock):
    open_dashboard(browser, mock)
    assert console_errors(browser) == []

    assert mock.get("/usage/current_balance", token=POE_KEY).status == 200
    assert mock.get("/usage/points_history?limit=1", token="sk_wrong").status == 401
    start = time.monotonic()
    wait_for(browser, lambda: request_row(browser, "/usage/points_history") is not None)
    assert time.monotonic() - start < 2
    denied = request_row(browser, "/usage/points_history")
    assert denied["target"] == "/usage/points_history?limit=1"
    assert denied["status"] == "401" and "s4" in denied["class"]
    answered = request_row(browser, "/usage/current_balance")
    assert answered["status"] == "200" and "s2" in answered["class"]

    # Opened from the keyboard: the headers, masked as the journal masks them.
    toggle = browser.find_element(By.XPATH, "//button[@class='row-toggle'][starts-with(., '/usage/points_history')]")
    toggle.send_keys(Keys.ENTER)
    wait_for(browser, lambda: browser.find_elements(By.CSS_SELECTOR, "#requests tr.details"))
    details = wait_for(browser, lambda: browser.find_element(By.CSS_SELECTOR, "#requests tr.details").text)
    assert "Bearer sk_w****" in details and "sk_wrong" not in details
    assert "auth: unknown key" in details
    response_size = mock.get("/__admin/requests?limit=1").json()["requests"][0]["response_size"]
    assert response_size > 0 and f"{response_size} bytes" in details

    Select(browser.find_element(By.ID, "filter-status")).select_by_visible_text("2xx")
    assert request_row(browser, "/usage/points_history") is None
    assert request_row(browser, "/usage/current_balance") is not None
    Select(browser.find_element(By.ID, "filter-status")).select_by_visible_text("all")
    screenshot(browser, "requests")

    browser.find_element(By.ID, "clear-requests").click()
    wait_for(browser, lambda: request_row(browser, "/usage/current_balance") is None)
    assert mock.get("/__admin/requests").json()["requests"] == []
    assert console_errors(browser) == []


def test_a_fault_added_through_the_form_is_listed_and_fires(browser, mock):
    open_dashboard(browser, mock)
    # The tab list by keyboard: from Requests, the right arrow opens Faults.
    browser.find_element(By.ID, "tab-requests").send_keys(Keys.ARROW_RIGHT)
    wait_for(browser, lambda: browser.find_element(By.ID, "view-faults").is_displayed())

    Select(browser.find_element(By.ID, "fault-provider")).select_by_value("poe")
    Select(browser.find_element(By.ID, "fault-route")).select_by_value("/usage/current_balance")
    Select(browser.find_element(By.ID, "fault-action")).select_by_value("status")
    status = browser.find_element(By.ID, "fault-status")
    status.clear()
    status.send_keys("503")
    Select(browser.find_element(By.ID, "fault-trigger")).select_by_value("times")
    browser.find_element(By.ID, "fault-trigger-count").send_keys("1")
    browser.find_element(By.CSS_SELECTOR, "#fault-form button[type=submit]").click()
    wait_for(browser, lambda: text(browser, "fault-message").endswith("added."))

    rows = wait_for(browser, lambda: [row.text for row in browser.find_elements(By.CSS_SELECTOR, "#faults tr")])
    assert len(rows) == 1 and "/usage/current_balance" in rows[0] and "answer 503" in rows[0]
    assert mock.get("/usage/current_balance", token=POE_KEY).status == 503
    assert mock.get("/usage/current_balance", token=POE_KEY).status == 200
    # The counts follow within the page's refresh (2 s).
    wait_for(browser, lambda: browser.find_element(By.CSS_SELECTOR, "#faults tr").text.endswith("2 1"), timeout=3)
    screenshot(browser, "faults")
    assert console_errors(browser) == []

    # A refused fault shows the API's own message.
    Select(browser.find_element(By.ID, "fault-provider")).select_by_value("klaim")
    status.clear()
    status.send_keys("402")
    browser.find_element(By.CSS_SELECTOR, "#fault-form button[type=submit]").click()
    expected = mock.post("/__admin/faults", body={"provider": "klaim", "route": "/users/{user_id}/credits/usage",
                                                  "status": 402, "times": 1}).json()["message"]
    wait_for(browser, lambda: text(browser, "fault-message") == expected)
    assert "klaim cannot be made to answer 402" in expected
    # The browser reports the refused POST's 400 as a failed resource load, and nothing else.
    assert all("400 (Bad Request)" in message for message in console_errors(browser))

    browser.find_element(By.ID, "delete-faults").click()
    wait_for(browser, lambda: text(browser, "fault-message") == "1 fault deleted.")
    assert mock.get("/__admin/faults").json() == {"faults": []}


def test_moving_the_clock_through_the_page_changes_poes_points_history(browser, mock):
    def history():
        return mock.get("/usage/points_history?limit=100", token=POE_KEY).json()

    open_dashboard(browser, mock)
    assert history()["length"] == 100
    browser.find_element(By.ID, "tab-scenario").click()
    wait_for(browser, lambda: "sk_t*******" in text(browser, "accounts"))
    page = browser.find_element(By.TAG_NAME, "body").text
    assert POE_KEY not in page and "klaim_test_key" not in page
    try_poe = browser.find_element(By.CSS_SELECTOR, "pre[data-provider=poe]").text
    assert f"'http://127.0.0.1:{mock.port}/usage/points_history?limit=2'" in try_poe
    assert "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage" in browser.find_element(By.CSS_SELECTOR, "pre[data-provider=klaim]").text

    amount = browser.find_element(By.ID, "advance-amount")
    amount.clear()
    amount.send_keys("30")
    Select(browser.find_element(By.ID, "advance-unit")).select_by_visible_text("days")
    amount.send_keys(Keys.ENTER)
    wait_for(browser, lambda: text(browser, "clock") == "2026-12-21T12:00:00Z")
    assert history() == {"has_more": False, "length": 0, "data": []}
    screenshot(browser, "scenario")

    clock = browser.find_element(By.ID, "set-clock")
    clock.send_keys("2026-11-01T12:00:00Z", Keys.ENTER)
    wait_for(browser, lambda: text(browser, "clock") == "2026-11-01T12:00:00Z")
    assert 0 < history()["length"] < 100

    clock.clear()
    clock.send_keys("soon", Keys.ENTER)
    wait_for(browser, lambda: "expected a UTC timestamp" in text(browser, "scenario-message"))

    browser.find_element(By.ID, "reset").click()
    wait_for(browser, lambda: text(browser, "clock") == "2026-11-21T12:00:00Z")
    assert history()["length"] == 100
    assert all("400 (Bad Request)" in message for message in console_errors(browser))


def test_a_narrow_window_keeps_the_list_readable(browser, mock):
    mock.get("/api/v1/usage?page=1&limit=1", token="sk_ops_test")
    browser.set_window_size(420, 800)
    try:
        open_dashboard(browser, mock)
        wait_for(browser, lambda: request_row(browser, "/api/v1/usage") is not None)
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(browser, "requests-narrow")
    finally:
        browser.set_window_size(1280, 900)


def test_with_an_admin_token_the_page_asks_for_it(browser):
    with serve_process("--admin-token", "dashboard-secret") as api:
        browser.get(f"http://127.0.0.1:{api.port}/__admin/")
        wait_for(browser, lambda: browser.find_element(By.ID, "token-panel").is_displayed())
        browser.find_element(By.ID, "token").send_keys("dashboard-secret", Keys.ENTER)
        wait_for(browser, lambda: "default" in text(browser, "scenario-line"))
        api.get("/usage/current_balance", token=POE_KEY)
        wait_for(browser, lambda: request_row(browser, "/usage/current_balance") is not None)
        # The first, tokenless, requests were refused (and the browser said so), no others.
        refused = console_errors(browser)
        assert refused and all("403 (Forbidden)" in message for message in refused)
        browser.execute_script("sessionStorage.clear()")
