"""The customer's pages of issue 11 (points 6-10) in Chromium: a long message expands and collapses
again and writing one can be cancelled (no script needed), the language switch is one click and stays
on the page with its search, "Back" returns to the list with its search and page, and a customer
administrator's user journey (a register contact gets a login, a user is added with chosen links,
edited, cancelled, removed after a confirmation). axe-core checks each page on the way; with
E2E_SCREENSHOTS=<dir> the pages are also saved at 360 px and 1440 px wide.
"""

import os
import uuid
from pathlib import Path

from selenium.webdriver.common.by import By

from helpers import (T, click_and_wait_for_new_page, create_case, fill, find, find_all, heading, login, open_message_box,
                     open_page, path_of, send_message, texts)
from test_accessibility import AccessibilityAudit

ANNA = ("solglantan", "anna")


def unique_word():
    return uuid.uuid4().hex[:8]


def shoot(driver, name):
    """Saves the page at phone and desktop width when E2E_SCREENSHOTS names a folder."""
    folder = os.environ.get("E2E_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    original = driver.get_window_size()
    for width in (360, 1440):
        driver.set_window_size(width, 900)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(height, 600), 4000))
        driver.save_screenshot(str(Path(folder) / f"{name}-{width}.png"))
    driver.set_window_size(original["width"], original["height"])


def test_a_long_message_expands_and_collapses_and_writing_can_be_cancelled(browser):
    audit = AccessibilityAudit(browser)
    login(browser, *ANNA)
    number = create_case(browser, f"Fuktfläck i taket {unique_word()}", "En fläck har vuxit sedan i går.")
    long_text = "Fläcken är nu större och det droppar vid lampan. " * 10
    send_message(browser, long_text.strip())

    message = find(browser, "ol.messages details.message-long")
    summary = message.find_element(By.TAG_NAME, "summary")
    full = message.find_element(By.CSS_SELECTOR, ".prose")
    assert not full.is_displayed(), "a long message starts collapsed"
    page_texts = texts(find(browser, "html").get_attribute("lang"))
    assert summary.find_element(By.CSS_SELECTOR, ".more").text == page_texts["message_show_all"]
    summary.click()
    assert full.is_displayed(), "it expands"
    assert summary.find_element(By.CSS_SELECTOR, ".less").text == page_texts["message_show_less"]
    audit.check("case page, a long message open")
    shoot(browser, "case-message-open")
    summary.click()
    assert not full.is_displayed(), "and collapses again"

    # Writing: "+ Write a message" opens the box, Cancel closes it without sending.
    box = find(browser, "details.write-message")
    assert box.get_attribute("open") is None
    open_message_box(browser)
    fill(browser, "body", "Detta ska inte skickas")
    audit.check("case page, writing a message")
    shoot(browser, "case-writing")
    count = len(find_all(browser, "ol.messages > li"))
    click_and_wait_for_new_page(browser, find(browser, "#write-cancel"))
    assert path_of(browser).split("#")[0] == f"/cases/{number}"
    assert find(browser, "details.write-message").get_attribute("open") is None
    assert len(find_all(browser, "ol.messages > li")) == count, "Cancel sent nothing"
    audit.assert_clean()


def test_the_language_switch_is_one_click_and_stays_on_the_page_with_its_search(new_browser):
    browser = new_browser(language="sv")
    audit = AccessibilityAudit(browser)
    login(browser, *ANNA)
    open_page(browser, "/cases?q=kran&state=all")
    buttons = find_all(browser, "form.language-switch button[name=language]")
    assert [b.get_attribute("value") for b in buttons] == ["sv", "da", "nb", "en"]
    assert [b.text for b in buttons] == ["🇸🇪Svenska", "🇩🇰Dansk", "🇳🇴Norsk", "🇬🇧English"] or \
        [b.find_element(By.CSS_SELECTOR, ".language-name").text for b in buttons] == ["Svenska", "Dansk", "Norsk", "English"]
    audit.check("case list with a search (Swedish)")
    shoot(browser, "case-list-sv")
    click_and_wait_for_new_page(browser, find(browser, "form.language-switch button[value=da]"))
    assert path_of(browser) == "/cases?q=kran&state=all", "one click, same page, same search"
    assert find(browser, "html").get_attribute("lang") == "da"
    assert heading(browser) == texts("da")["cases_title"]
    assert find(browser, "#date-pattern").text.endswith("DD.MM.ÅÅÅÅ")
    audit.check("case list with a search (Danish)")
    click_and_wait_for_new_page(browser, find(browser, "form.language-switch button[value=sv]"))
    assert find(browser, "html").get_attribute("lang") == "sv"
    audit.assert_clean()
    # The choice is saved on Anna's account; later tests expect the English the suite's browsers speak.
    click_and_wait_for_new_page(browser, find(browser, "form.language-switch button[value=en]"))
    assert find(browser, "html").get_attribute("lang") == "en"


def test_back_returns_to_the_list_with_its_search_and_page(browser):
    login(browser, *ANNA)
    open_page(browser, "/cases?state=all&page=2")
    rows = find_all(browser, "table a[href^='/cases/']")
    assert rows, "the second page lists cases"
    click_and_wait_for_new_page(browser, rows[0])
    back = find(browser, "a.back-link")
    click_and_wait_for_new_page(browser, back)
    assert path_of(browser) == "/cases?state=all&page=2"
    open_page(browser, "/cases/new")
    click_and_wait_for_new_page(browser, find(browser, "a.back-link"))
    assert path_of(browser) == "/cases?state=all&page=2"


def test_a_customer_administrators_user_journey(browser):
    audit = AccessibilityAudit(browser)
    login(browser, *ANNA)
    sv = texts(find(browser, "html").get_attribute("lang"))  # Anna's account keeps its own language
    open_page(browser, "/users")
    audit.check("users with register contacts")
    shoot(browser, "users")
    karin = [row for row in find_all(browser, "#register-contacts tbody tr") if "Karin Holm" in row.text]
    if karin:  # the demo's contact without a login (a second run of the suite finds her with one)
        click_and_wait_for_new_page(browser, karin[0].find_element(By.CSS_SELECTOR, "a.button"))
        assert "Karin Holm" in find(browser, "#for-contact").text
        audit.check("new user for a register contact")
        fill(browser, "username", f"karin{unique_word()}")
        fill(browser, "password", "Secret123")
        fill(browser, "password_confirm", "Secret123")
        click_and_wait_for_new_page(browser, find(browser, "main form button.button-primary"))
        assert path_of(browser).startswith("/users")
        assert not [row for row in find_all(browser, "#register-contacts tbody tr") if "Karin Holm" in row.text]

    # A new user with chosen links; Cancel on the form returns to the list.
    click_and_wait_for_new_page(browser, find(browser, ".page-head a.button-primary"))
    assert find_all(browser, "#user-links input[type=checkbox]"), "the administrator's own links are offered"
    audit.check("new user form")
    shoot(browser, "user-new")
    click_and_wait_for_new_page(browser, find(browser, "#user-cancel"))
    assert path_of(browser) == "/users"
    click_and_wait_for_new_page(browser, find(browser, ".page-head a.button-primary"))
    username = f"nina{unique_word()}"
    fill(browser, "first_name", "Nina")
    fill(browser, "last_name", "Nyberg")
    fill(browser, "username", username)
    fill(browser, "password", "Secret123")
    fill(browser, "password_confirm", "Secret123")
    click_and_wait_for_new_page(browser, find(browser, "main form button.button-primary"))
    assert sv["users_notice_created"] in find(browser, "main").text

    # Edit, then Remove: it asks first, then the user is gone from the list.
    row = [r for r in find_all(browser, "table tbody tr") if username in r.text][0]
    click_and_wait_for_new_page(browser, row.find_element(By.PARTIAL_LINK_TEXT, sv["users_edit"]))
    click_and_wait_for_new_page(browser, find(browser, "#user-remove"))
    assert heading(browser) == sv["users_remove_title"]
    audit.check("remove user confirmation")
    shoot(browser, "user-remove")
    click_and_wait_for_new_page(browser, find(browser, "#remove-confirm"))
    assert path_of(browser).startswith("/users")
    assert sv["users_notice_removed"] in find(browser, "main").text
    assert username not in find(browser, "main").text
    audit.assert_clean()
