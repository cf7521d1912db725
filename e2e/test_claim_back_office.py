"""Issue 13: a claim's back office in the browser — register a case as a claim, a details form with a
problem (kept, shown beside the field), add and start a task, log a call, set a reminder, and the
start page's attention rows; axe-core checks every page on the way."""

import re
import time

from selenium.webdriver.common.by import By

from helpers import T, click_and_wait_for_new_page, fill, find, find_all, open_page, path_of, select_by_value, value_of
from test_accessibility import AccessibilityAudit
from test_back_office import staff_login


def open_box(driver, box_id):
    """Opens a "Change"-style disclosure by clicking its summary, as a person does."""
    box = find(driver, f"#{box_id}")
    if box.get_attribute("open") is None:
        box.find_element(By.CSS_SELECTOR, "summary").click()
    return box


def submit(driver, box):
    click_and_wait_for_new_page(driver, box.find_element(By.CSS_SELECTOR, "button[type=submit]"))


def a_case_that_is_not_a_claim(driver):
    open_page(driver, "/staff/cases")
    numbers = re.findall(r'href="/staff/cases/(\d+)"', driver.page_source)
    for number in numbers:
        open_page(driver, f"/staff/cases/{number}")
        if find_all(driver, "#claim-register"):
            return number
    raise AssertionError("every listed case is a claim already")


def test_staff_run_a_claim(browser):
    audit = AccessibilityAudit(browser)
    staff_login(browser, "handler@example.com")
    number = a_case_that_is_not_a_claim(browser)
    audit.check("case page, not a claim")

    box = open_box(browser, "claim-register")
    fill(browser, "claim-incident", "09/11/2026 13:44")
    fill(browser, "claim-damage", "Water damage")
    submit(browser, box)
    assert path_of(browser).startswith(f"/staff/cases/{number}"), path_of(browser)
    assert "Water damage" in find(browser, "#claim").text

    # A bad phone number: the message beside the field, what was typed kept.
    box = open_box(browser, "claim-details")
    fill(browser, "claim-pm-name", "Pia Sørensen")
    fill(browser, "claim-pm-phone", "call the office")
    submit(browser, box)
    assert find(browser, "#claim-pm-phone-error").text == T["claims_error_phone"]
    assert value_of(browser, "claim-pm-name") == "Pia Sørensen"
    audit.check("claim details with a problem")
    fill(browser, "claim-pm-phone", "+45 11 11 11 11")
    fill(browser, "claim-expert-name", "Rie Nielsen")
    submit(browser, find(browser, "#claim-details"))
    assert "Rie Nielsen" in find(browser, "#claim").text

    box = open_box(browser, "claim-new-task")
    select_by_value(browser, "task-new-kind", "main_inspection")
    fill(browser, "task-new-title", "Inspection of the basement")
    fill(browser, "task-new-responsible", "Rie Nielsen")
    fill(browser, "task-new-starts", "10/12/2026 08:00")
    find(browser, "#claim-new-task input[name=task_awaiting]").click()
    submit(browser, box)
    task = find_all(browser, ".claim-task")[0]
    assert "Inspection of the basement" in task.text
    click_and_wait_for_new_page(browser, task.find_element(By.CSS_SELECTOR, "button[value=started]"))
    assert T["claims_task_state_started"] in find(browser, ".claim-task").text

    box = open_box(browser, "claim-call")
    fill(browser, "call-callee", "Bente Larsen")
    fill(browser, "call-number", "11111111")
    find(browser, "#claim-call input[name=call_answered]").click()
    fill(browser, "call-length", "3:25")
    submit(browser, box)
    assert "Bente Larsen" in find(browser, ".claim-calls").text

    box = open_box(browser, "claim-reminder")
    fill(browser, "claim-reminder-day", time.strftime("%d/%m/%Y"))
    fill(browser, "claim-reminder-note", "Call the customer")
    submit(browser, box)
    audit.check("claim with a task, a call and a reminder")

    open_page(browser, "/staff")
    assert find(browser, "#attention-awaiting_supplier strong").text != "0"
    audit.check("start page with the attention rows")
    click_and_wait_for_new_page(browser, find(browser, "#attention-reminders_today"))
    assert f"/staff/cases/{number}" in browser.page_source
    audit.check("attention list")
    audit.assert_clean()
