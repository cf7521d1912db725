"""Issue 14 end to end, one compact journey in Chromium with axe-core: Anna (a contact linked to Brf
Solgläntan) opens the Actions of a case from her case list and sees its booked rows, opens the invoice
specification waiting for her, approves it, and then finds it cannot be changed any more."""

from selenium.webdriver.common.by import By

from helpers import click_and_wait_for_new_page, find, find_all, login, main_text, notice_text, wait
from test_accessibility import AccessibilityAudit


def test_anna_sees_actions_and_approves_a_specification(browser):
    audit = AccessibilityAudit(browser)
    login(browser, "solglantan", "anna")

    # The case list links the Actions of the cases that have booked rows (B8).
    links = find_all(browser, "a.actions-link")
    assert links, "no case on Anna's list links its actions: " + main_text(browser)[:400]
    click_and_wait_for_new_page(browser, links[0])
    assert browser.current_url.endswith("/actions"), browser.current_url
    table = find(browser, "table.money-table")
    text = table.text
    assert "Amount incl. VAT" in text and "Total" in text, text
    assert any(code in text for code in ("RES-01", "ARB-01", "MAT-01", "ARB-02")), text
    audit.check("case actions")

    # The menu offers the specifications; one waits for Anna (B10).
    click_and_wait_for_new_page(browser, browser.find_element(By.LINK_TEXT, "Specifications"))
    audit.check("specifications")
    assert "Waiting for approval" in main_text(browser)
    click_and_wait_for_new_page(browser, find(browser, "table td.subject a"))
    assert find(browser, "#spec-state").get_attribute("data-state") == "waiting"
    assert "Total" in find(browser, "table.money-table").text
    audit.check("specification waiting")

    click_and_wait_for_new_page(browser, find(browser, "#spec-approve"))
    assert "approved" in notice_text(browser).lower()
    assert find(browser, "#spec-state").get_attribute("data-state") == "approved"
    assert not find_all(browser, "#spec-answer"), "an approved specification offers no answer"
    audit.check("specification approved")

    # A change attempt (a stale page's reject) is refused and says why.
    spec_path = browser.current_url.split("?")[0]
    browser.execute_script(
        "const f=document.createElement('form');f.method='post';f.action=arguments[0]+'/reject';"
        "const t=document.createElement('input');t.name='csrf_token';"
        "t.value=document.querySelector('input[name=csrf_token]').value;f.appendChild(t);"
        "const c=document.createElement('input');c.name='comment';c.value='Too late';f.appendChild(c);"
        "document.body.appendChild(f);f.submit();", spec_path)
    wait(browser).until(lambda driver: driver.find_elements(By.CSS_SELECTOR, "#spec-refused"))
    refusal = find(browser, "#spec-refused")
    assert "approved and can no longer be changed" in refusal.text, refusal.text
    audit.check("specification refusal")
    audit.assert_clean()
