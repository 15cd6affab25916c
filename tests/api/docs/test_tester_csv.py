"""The tester page's CSV download neutralises formulas exactly as the Python exports do: the
page's own code runs in headless Chromium, on the same cells as `spreadsheet_safe`, and a
download of leads whose fields are formulas is read back."""

from __future__ import annotations

import csv

import pytest

from storage.warehouse.csv_cells import spreadsheet_safe
from tests.api.docs.test_tester_page import CHROMEDRIVER, CHROMIUM, browser, open_tester  # noqa: F401
from tests.cli.test_csv_formulas import HOSTILE
from tests.fixtures.servers import wait_until

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason="needs Debian's chromium and chromium-driver (.ci/run installs them)"),
    pytest.mark.sqlite_only("a browser test of the page; no data is stored"),
]

CELLS = [*HOSTILE, "-5\n=1+1", "=1", "-", "+", "@", "Ada", "0", "-0.5e3"]


def test_the_page_and_python_neutralise_the_same_cells(browser, leadmill) -> None:  # noqa: F811
    open_tester(browser, leadmill)
    in_page = browser.execute_script(
        "return arguments[0].map((cell) => spreadsheetSafe(cell));", CELLS)
    assert in_page == [spreadsheet_safe(cell) for cell in CELLS]


def test_the_downloaded_csv_holds_no_formula(browser, leadmill) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    open_tester(browser, leadmill)
    browser.execute_script("""
        state.leads = [{id: "lead_1", name: "=HYPERLINK(\\"http://evil.test\\")",
                        email: "eve@example.com", phone: "+14155550100",
                        company: "@SUM(1+1)*cmd|' /C calc'!A0", position: "-2+3+cmd|x",
                        match_score: 0.5, verified: true, match_reasons: ["=1+1"]}];
        document.getElementById("command-id").textContent = "cmd_csv";
    """)
    browser.execute_script("downloadCsv()")
    csv_file = wait_until(lambda: next(iter(browser.downloads.glob("leads-cmd_csv.csv")), None),
                          20, "the CSV was not downloaded")
    with csv_file.open(newline="") as handle:
        lead = next(csv.DictReader(handle))
    assert (lead["name"], lead["company"], lead["position"], lead["match_reasons"]) == (
        "'=HYPERLINK(\"http://evil.test\")", "'@SUM(1+1)*cmd|' /C calc'!A0", "'-2+3+cmd|x",
        "'=1+1")
    assert (lead["phone"], lead["match_score"]) == ("+14155550100", "0.5")
    assert browser.find_elements(By.ID, "download-csv")
