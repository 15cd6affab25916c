"""The tester page in a real headless Chromium (Debian's chromium + chromium-driver): fill the
documented example, submit, wait for the leads, sort, download the CSV, and see a bad field's
error next to it. A screenshot of the finished page lands in test-artifacts/."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from tests.fixtures.servers import wait_until

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason="needs Debian's chromium and chromium-driver (.ci/run installs them)"),
    pytest.mark.sqlite_only("a browser test of the page; the API behind it runs on both"),
]


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-background-networking", "--disable-sync",
                 "--disable-component-update", "--window-size=1400,1800",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    yield driver
    driver.quit()


def open_tester(browser, leadmill):
    from selenium.webdriver.common.by import By

    browser.get(f"{leadmill.base_url}/tester")
    wait_until(lambda: browser.find_elements(By.ID, "apiKey"), 20, "tester page did not load")
    browser.find_element(By.ID, "apiKey").send_keys(leadmill.credentials["api_key"])
    browser.find_element(By.ID, "load-example").click()
    wait_until(lambda: browser.find_element(By.ID, "siteId").get_attribute("value"), 10,
               "the example did not load")


def test_tester_runs_the_documented_example_and_downloads_the_leads(browser, leadmill):
    from selenium.webdriver.common.by import By

    open_tester(browser, leadmill)
    code = browser.find_element(By.ID, "code").text
    assert "curl -X POST" in code and "site_456abc" in code
    browser.find_element(By.CSS_SELECTOR, '.tabs button[data-lang="python"]').click()
    assert "httpx.post(" in browser.find_element(By.ID, "code").text
    browser.find_element(By.ID, "submit").click()

    rows = wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, "#leads tbody tr"), 90,
                      "no leads appeared")
    assert len(rows) == 25
    scores = [float(row.find_elements(By.TAG_NAME, "td")[0].text) for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert browser.find_element(By.ID, "status").text == "completed"
    assert browser.find_element(By.ID, "bar").get_attribute("value") == "100"
    # The demo key is a tenant's: the Prefect UI (every tenant's runs) is not linked for it.
    assert not browser.find_element(By.ID, "prefect-link").is_displayed()

    browser.find_element(By.CSS_SELECTOR, '#leads th[data-key="name"]').click()
    names = [r.find_elements(By.TAG_NAME, "td")[1].text
             for r in browser.find_elements(By.CSS_SELECTOR, "#leads tbody tr")]
    assert names == sorted(names)

    browser.find_element(By.ID, "download-csv").click()
    def downloaded() -> list[dict[str, str]] | None:
        # The file can be seen before the browser has written it all: wait for its rows.
        found = next(iter(browser.downloads.glob("leads-*.csv")), None)
        if found is None or list(browser.downloads.glob("*.crdownload")):
            return None
        with found.open(newline="") as handle:
            return list(csv.DictReader(handle)) or None

    records = wait_until(downloaded, 20, "the CSV was not downloaded")
    assert len(records) == 25
    assert {"name", "email", "match_score", "match_reasons"} <= set(records[0])

    browser.execute_script("document.getElementById('results').scrollIntoView()")
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "tester-finished.png"))


def test_tester_links_the_prefect_run_for_an_operator(browser, leadmill):
    from selenium.webdriver.common.by import By

    from storage.db.engine import engine_for, session_scope
    from storage.tenancy.platform_admins import grant_platform_admin

    with session_scope(engine_for(leadmill.settings.sqlalchemy_url)) as session:
        grant_platform_admin(session, leadmill.credentials["username"])  # leadmill admin grant
    open_tester(browser, leadmill)
    browser.find_element(By.ID, "submit").click()
    wait_until(lambda: browser.find_element(By.ID, "status").text == "completed", 90,
               "the command did not complete")
    link = wait_until(lambda: browser.find_element(By.ID, "prefect-link").is_displayed()
                      and browser.find_element(By.ID, "prefect-link"), 20, "no Prefect link")
    assert f":{leadmill.settings.prefect_port}/runs/flow-run/" in link.get_attribute("href")


@pytest.mark.parametrize(("field_id", "value", "message"), [
    ("siteId", "site_unknown", "The specified site does not exist"),
    ("maxLeads", "5000", "maxLeads must be between 1 and 1000"),
])
def test_tester_shows_the_documented_error_next_to_the_field(
    browser, leadmill, field_id, value, message
):
    from selenium.webdriver.common.by import By

    open_tester(browser, leadmill)
    field = browser.find_element(By.ID, field_id)
    field.clear()
    field.send_keys(value)
    browser.find_element(By.ID, "submit").click()

    def shown():
        for holder in browser.find_elements(By.CSS_SELECTOR, ".error"):
            if message in holder.text:
                return holder
        return None

    holder = wait_until(shown, 20, f"no error saying {message!r}")
    card = field.find_element(By.XPATH, "ancestor::section")
    assert holder.find_element(By.XPATH, "ancestor::section") == card
    assert "invalid" in field.get_attribute("class")


def test_website_analysis_prefills_business_info_and_keywords(
    browser, leadmill_reading_loopback, company_site
):
    from selenium.webdriver.common.by import By

    open_tester(browser, leadmill_reading_loopback)
    for field_id in ("businessName", "productName", "keywords"):
        browser.find_element(By.ID, field_id).clear()
    website = browser.find_element(By.ID, "websiteUrl")
    website.clear()
    website.send_keys(company_site)
    browser.find_element(By.ID, "analyze-site").click()
    wait_until(lambda: browser.find_element(By.ID, "businessName").get_attribute("value"), 20,
               "the analysis did not fill the form")
    assert browser.find_element(By.ID, "businessName").get_attribute("value") == \
        "Acme Automation Inc."
    assert browser.find_element(By.ID, "productName").get_attribute("value") == \
        "Workflow Automation Platform"
    assert "workflow automation" in browser.find_element(By.ID, "keywords").get_attribute("value")
    assert "Acme Automation Inc." in browser.find_element(By.ID, "code").text
