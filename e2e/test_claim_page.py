"""Issue 13: the claim's customer page (C1–C6) through the staff preview, with axe-core on every tab
and screenshots at 360 px and 1440 px. `caseport demo` adds the insurer's water-damage claim; the staff
case page links to its preview ("Preview the customer page"), which shows the page exactly as the
chosen recipient sees it, with writing switched off.
"""

import os

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from helpers import (T, click_and_wait_for_new_page, find, find_all, main_text, open_page, path_of,
                     select_by_text)
from test_accessibility import AccessibilityAudit
from test_back_office import staff_login

TABS = ("claim_tab_overview", "claim_tab_plan", "claim_tab_messages", "claim_tab_documents", "claim_tab_budget")


def shots_folder():
    return os.environ.get("E2E_SHOTS") or os.path.join(os.path.dirname(__file__), "artifacts", "claim-page")


def shoot(driver, name):
    """The page at 360 px and 1440 px wide (E2E_SHOTS, else e2e/artifacts/claim-page)."""
    folder = shots_folder()
    os.makedirs(folder, exist_ok=True)
    for width in (360, 1440):
        driver.set_window_size(width, 1000)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(height, 4000))
        # Nothing is wider than the window (no sideways scrolling of the page itself).
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} at {width} px is {overflow} px too wide"
        driver.save_screenshot(os.path.join(folder, f"{name}-{width}.png"))
    driver.set_window_size(1280, 1000)


def open_claim_case(driver):
    """The demo's claim on the staff case list (search for its subject), then its case page."""
    open_page(driver, "/staff/cases?q=Vandskade")
    link = next(a for a in find_all(driver, "main a") if "Vandskade i køkken og gang" in a.text)
    click_and_wait_for_new_page(driver, link)


def test_the_customer_page_through_the_staff_preview(browser):
    audit = AccessibilityAudit(browser)
    staff_login(browser, "handler@example.com")
    open_claim_case(browser)
    preview_link = find(browser, "#customer-page-preview")
    assert preview_link.text == T["claim_preview_link"]
    click_and_wait_for_new_page(browser, preview_link)
    assert "/customer-page" in path_of(browser)
    assert f'{T["claim_preview_as"]} {T["claim_generic_recipient"]}' in main_text(browser)

    # Choose the contact person as the recipient (a GET form: no script needed).
    select_by_text(browser, "preview-contact", f'Ole Larsen ({T["claim_role_contact_person"]})')
    click_and_wait_for_new_page(browser, find(browser, ".claim-preview button[type=submit]"))
    assert f'{T["claim_preview_as"]} Ole Larsen' in main_text(browser)

    # The overview: case information, the news feed with its redaction, the plan.
    text = main_text(browser)
    for shown in ("Irlandsvej 80", "Vandskade", T["claim_feed_compensation_decided"], "Tømrerarbejde"):
        assert shown in text, shown
    assert "positive" not in text.lower()
    audit.check("claim overview (preview)")
    shoot(browser, "claim-overview")

    # Every tab by the keyboard: focus the tab's link and press Enter.
    for key in TABS[1:]:
        link = next(a for a in find_all(browser, "nav.claim-tabs a") if a.text == T[key])
        browser.execute_script("window.__e2eOldPage = true")
        link.send_keys(Keys.ENTER)
        from helpers import wait
        wait(browser).until(lambda d: d.execute_script("return window.__e2eOldPage") is None)
        current = find(browser, "nav.claim-tabs a[aria-current=page]")
        assert current.text == T[key]
        audit.check(f"claim {key} (preview)")
        shoot(browser, key.replace("claim_tab_", "claim-"))
        if key == "claim_tab_plan":
            # A task opens its description without script.
            summary = find(browser, "details.claim-task summary")
            summary.click()
            assert find(browser, "details.claim-task").get_attribute("open") is not None
            assert "besigtigelse-foto" not in browser.page_source
        if key == "claim_tab_messages":
            assert find(browser, "#write fieldset").get_attribute("disabled") is not None
            assert T["claim_preview_no_writing"] in main_text(browser)
        if key == "claim_tab_documents":
            assert "Vandskade besigtigelse – rapport" in main_text(browser)
            assert "Internt overslag" not in main_text(browser)
        if key == "claim_tab_budget":
            assert T["claim_budget_total"] in main_text(browser)
    audit.assert_clean()


def test_without_a_link_session_the_page_says_the_link_does_not_work(browser):
    # The personal link's session middleware answers before the page, as it does for a bad link.
    audit = AccessibilityAudit(browser)
    open_page(browser, "/claim")
    assert T["claimaccess_not_working_title"] in main_text(browser)
    assert "Vandskade" not in browser.page_source
    audit.check("claim page without a link")
    shoot(browser, "claim-no-link")
    audit.assert_clean()
