"""Live chat (issue 15, B13/D7) in two real browsers: a handler sets themself available in the staff
console, a signed-in customer opens the chat from the corner button (name and e-mail filled in), the
handler takes it, they write back and forth (Enter sends, Shift+Enter breaks the line, text shows as
text), the conversation survives a page change and a reload, the handler sees the customer typing and
ends the chat. Then nobody is available: a visitor on the login page is told so plainly, leaves a
message through the form (as without JavaScript), and it reaches the staff inbox as an inquiry that
is answered by e-mail. axe-core checks every state on the way."""

import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from helpers import (T, click_and_wait_for_new_page, fill, find, find_all, login, main_text, notice_text, open_page,
                     path_of, primary_button, wait)
from test_accessibility import AccessibilityAudit
from test_back_office import inbox_row, staff_login

ANNA = ("solglantan", "anna")


def visible(driver, css):
    return wait(driver).until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))


def set_available(staff, available):
    open_page(staff, "/staff/chat")
    wanted = T["staff_chat_you_are_available"] if available else T["staff_chat_you_are_away"]
    state = find(staff, "#chat-availability-state")
    if state.text != wanted:
        find(staff, "#chat-availability-button").click()
        wait(staff).until(lambda d: find(d, "#chat-availability-state").text == wanted)


def log_texts(driver, scope="#chat-log"):
    return [item.text for item in find_all(driver, f"{scope} .chat-body")]


def test_a_customer_and_a_handler_chat_and_the_chat_survives_a_page_change(new_browser):
    staff, anna = new_browser(), new_browser()
    staff_login(staff, "handler@example.com")
    audit = AccessibilityAudit(staff)
    customer_audit = AccessibilityAudit(anna)
    try:
        set_available(staff, True)
        audit.check("staff chat console, available")

        login(anna, *ANNA)
        button = visible(anna, "#chat-button")
        wait(anna).until(lambda d: find(d, "#chat-button").text == T["chat_button_open"])
        button.click()
        visible(anna, "#chat-start-form")
        assert find(anna, "#chat-name").get_attribute("value"), "a signed-in user's name is filled in"
        assert "@" in find(anna, "#chat-email").get_attribute("value"), "and the e-mail address"
        customer_audit.check("chat panel, start form")
        find(anna, "#chat-start-form button[type=submit]").click()
        visible(anna, "#chat-input")

        # The handler sees the chat waiting, with how long it has waited, and takes it.
        take = wait(staff).until(lambda d: [b for b in find_all(d, "#chat-queue-list button") if b.is_displayed()])
        assert T["staff_chat_waited_now"] in find(staff, "#chat-queue-list").text
        take[0].click()
        visible(staff, ".chat-window textarea")
        wait(anna).until(lambda d: len(log_texts(d)) >= 1)  # "… joined the chat"

        # Shift+Enter breaks the line, Enter sends.
        box = find(anna, "#chat-input")
        box.send_keys("Hur skapar jag ett ärende?")
        box.send_keys(Keys.SHIFT, Keys.ENTER)
        box.send_keys("Rad två")
        wait(staff).until(lambda d: not find(d, ".chat-window .chat-typing").get_attribute("hidden"))
        box.send_keys(Keys.ENTER)
        wait(staff).until(lambda d: "Hur skapar jag ett ärende?\nRad två" in log_texts(d, ".chat-window .chat-log"))
        assert find(anna, "#chat-input").get_attribute("value") == ""

        reply = find(staff, ".chat-window textarea")
        reply.send_keys("Klicka på <b>Nytt ärende</b> & fyll i.")
        reply.send_keys(Keys.ENTER)
        wait(anna).until(lambda d: "Klicka på <b>Nytt ärende</b> & fyll i." in log_texts(d))
        assert not find_all(anna, "#chat-log b"), "the text is shown as text, never as HTML"
        assert find(anna, "#chat-log").get_attribute("aria-live") == "polite"
        customer_audit.check("chat panel with messages")
        audit.check("staff console with a chat")

        # A page change and a reload keep the conversation.
        before = log_texts(anna)
        click_and_wait_for_new_page(anna, anna.find_element(By.CSS_SELECTOR, 'a[href="/cases/new"]'))
        wait(anna).until(lambda d: log_texts(d) == before)
        anna.refresh()
        wait(anna).until(lambda d: log_texts(d) == before)
        visible(anna, "#chat-input")
        find(anna, "#chat-input").send_keys("Tack!", Keys.ENTER)
        wait(staff).until(lambda d: "Tack!" in log_texts(d, ".chat-window .chat-log"))
        assert len(log_texts(anna)) == len(before) + 1 or "Tack!" in log_texts(anna)

        # The handler ends it; the customer is told.
        find_all(staff, ".chat-window .button-danger")[0].click()
        wait(anna).until(lambda d: find(d, "#chat-ended-text").text == T["chat_ended"])
        customer_audit.check("chat ended")
        anna.set_window_size(360, 800)
        customer_audit.check("chat panel at 360 px")
    finally:
        set_available(staff, False)
    audit.assert_clean()
    customer_audit.assert_clean()


def test_nobody_available_the_message_becomes_an_inquiry_answered_by_email(new_browser):
    staff, visitor = new_browser(), new_browser()
    staff_login(staff, "handler@example.com")
    set_available(staff, False)
    audit = AccessibilityAudit(visitor)

    open_page(visitor, "/login")
    wait(visitor).until(lambda d: find(d, "#chat-button").text == T["chat_button_closed"])
    find(visitor, "#chat-button").click()
    closed = visible(visitor, "#chat-closed")
    assert T["chat_nobody_available"] in closed.text
    audit.check("login page, chat closed")

    # The form (what the button is without JavaScript) leaves the message as an inquiry.
    click_and_wait_for_new_page(visitor, closed.find_element(By.CSS_SELECTOR, "a"))
    assert path_of(visitor) == "/chat"
    assert T["chat_page_closed"] in main_text(visitor)
    click_and_wait_for_new_page(visitor, primary_button(visitor, "main form"))
    assert find_all(visitor, "[aria-invalid=true]"), "an empty form is refused with the fields marked"
    audit.check("chat form with problems")
    word = uuid.uuid4().hex[:8]
    fill(visitor, "leave-name", f"Vera {word}")
    fill(visitor, "leave-email", "vera@example.org")
    fill(visitor, "leave-message", "Hur lägger jag till en användare?")
    click_and_wait_for_new_page(visitor, primary_button(visitor, "main form"))
    assert notice_text(visitor) == T["chat_leave_sent"]
    audit.check("chat form sent")

    # Staff answer it from the inbox: the case made of it is mailed to the sender.
    open_page(staff, "/staff/inbox")
    subject = T["chat_inquiry_subject"].replace("{name}", f"Vera {word}")
    click_and_wait_for_new_page(staff, inbox_row(staff, subject).find_element(By.CSS_SELECTOR, "a"))
    assert find(staff, "#sender_email").get_attribute("value") == "vera@example.org"
    click_and_wait_for_new_page(staff, primary_button(staff, "main form"))
    assert path_of(staff).startswith("/staff/cases/"), path_of(staff)
    audit.assert_clean()
