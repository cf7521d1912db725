"""Personal data (issue 16 point 5, E3) in a real browser: the public privacy page from the login page's
footer, without login; an administrator's privacy page with a dry run, a legal hold and the export's
problem; axe-core on each page. With E2E_SCREENSHOTS=<dir>, the pages are also saved at 360 and 1440 px.
"""

import json
import os

from helpers import REPO_ROOT, click_and_wait_for_new_page, fill, find, find_all, main_text, open_page, path_of
from test_accessibility import AccessibilityAudit
from test_back_office_admin import staff_login

P = json.loads((REPO_ROOT / "Resources" / "Locales" / "privacy" / "en.json").read_text(encoding="utf-8"))


def shoot(driver, name):
    folder = os.environ.get("E2E_SCREENSHOTS")
    if not folder:
        return
    for width in (360, 1440):
        driver.set_window_size(width, 900)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(height, 4000))
        driver.save_screenshot(os.path.join(folder, f"{name}-{width}.png"))
    driver.set_window_size(1280, 900)


def shoot_in_swedish(driver, name):
    """The same page in Swedish, then back to English (a staff member's choice is saved on the account)."""
    if not os.environ.get("E2E_SCREENSHOTS"):
        return
    click_and_wait_for_new_page(driver, find(driver, "button[name=language][value=sv]"))
    shoot(driver, name + "-sv")
    click_and_wait_for_new_page(driver, find(driver, "button[name=language][value=en]"))


def test_the_privacy_page_and_the_back_office(browser):
    audit = AccessibilityAudit(browser)
    open_page(browser, "/login")
    link = find(browser, "footer a")
    assert link.text == P["privacy_link"]
    click_and_wait_for_new_page(browser, link)
    assert path_of(browser) == "/privacy"
    assert P["privacy_page_title"] in main_text(browser)
    assert "dataskydd@example.com" in main_text(browser), "the demo's contact address, from the settings"
    audit.check("privacy page")
    shoot(browser, "privacy")
    shoot_in_swedish(browser, "privacy")

    staff_login(browser, "admin@example.com")
    open_page(browser, "/staff/settings/privacy")
    audit.check("staff privacy page")
    shoot(browser, "staff-privacy")
    shoot_in_swedish(browser, "staff-privacy")
    held = find_all(browser, "#holds tbody tr")
    assert len(held) == 1, "the demo's case on legal hold"

    click_and_wait_for_new_page(browser, find(browser, f"form[action$='/dry-run'] button"))
    assert find(browser, "#report-heading").text == P["privacy_dry_run_heading"]
    audit.check("dry run")
    shoot(browser, "staff-privacy-dry-run")

    fill(browser, "export_email", "nobody@example.org")
    click_and_wait_for_new_page(browser, find(browser, "form[action$='/export'] button"))
    assert P["privacy_export_nobody"] in main_text(browser)
    audit.check("export problem")
    audit.assert_clean()
