"""Keyboard only: creating a case, replying and approving without touching the mouse (issue 12).

The browser gets nothing but key presses: Tab moves the focus (as a person does, from the top of the
page), Enter follows a link or presses a button, Space picks a radio button, the arrow keys move
within a group, and text is typed into whatever has the focus. Every control the journey lands on
must show that it has the focus (an outline or a ring), or a keyboard user cannot see where they are.
"""

import re

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from helpers import T, click_and_wait_for_new_page, find, login, main_text, messages, open_page, path_of, wait
from test_back_office_admin import staff_login

MAX_TABS = 120


def keys(driver, *presses):
    ActionChains(driver).send_keys(*presses).perform()


def focused_matches(driver, css):
    return driver.execute_script("return document.activeElement && document.activeElement.matches(arguments[0])", css)


def focus_is_visible(driver):
    return driver.execute_script("""
        const el = document.activeElement, style = getComputedStyle(el);
        const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
        return ring || (style.boxShadow && style.boxShadow !== 'none');""")


def tab_to(driver, css, open_disclosures_holding=None):
    """Presses Tab until the focused element matches `css`; a closed <details> on the way that holds
    `open_disclosures_holding` is opened with Enter, as a person would to reach what is inside."""
    for _ in range(MAX_TABS):
        keys(driver, Keys.TAB)
        if focused_matches(driver, css):
            assert focus_is_visible(driver), f"{css} has the focus but shows no outline or ring"
            return driver.switch_to.active_element
        if open_disclosures_holding and driver.execute_script("""
                const el = document.activeElement;
                if (el.tagName !== 'SUMMARY') return false;
                const box = el.parentElement;
                return !box.open && !!box.querySelector(arguments[0]);""", open_disclosures_holding):
            keys(driver, Keys.ENTER)
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {css} on {path_of(driver)}")


def press_and_wait(driver, key=Keys.ENTER):
    old = driver.find_element("tag name", "html")
    keys(driver, key)
    wait(driver).until(lambda d: _stale(old) and d.execute_script("return document.readyState") == "complete")


def _stale(element):
    try:
        element.is_enabled()
        return False
    except Exception:
        return True


def restart_from_top(driver):
    """Focus back to the start of the page, where a keyboard user begins."""
    driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
    find(driver, "body").send_keys("")  # the body holds the (empty) focus, Tab starts from the top


def create_case_by_keyboard(driver, subject, description):
    open_page(driver, "/cases")
    restart_from_top(driver)
    tab_to(driver, "nav.mainnav a[href='/cases/new']")
    press_and_wait(driver)

    # The type chooser: Tab into the radio group, arrows to the fault report ("Felanmälan").
    tab_to(driver, "input[type=radio][name=type]")
    for _ in range(10):
        label = driver.execute_script(
            "return document.activeElement.closest('label').querySelector('strong').textContent.trim()")
        if label == "Felanmälan":
            break
        keys(driver, Keys.ARROW_DOWN)
    else:
        raise AssertionError("the arrow keys never reached the type Felanmälan")
    keys(driver, Keys.SPACE)
    tab_to(driver, "main form button.button-primary")
    press_and_wait(driver)

    tab_to(driver, "#subject")
    keys(driver, subject)
    tab_to(driver, "#description")
    keys(driver, description)
    apartment = driver.execute_script("""
        const label = Array.from(document.querySelectorAll('label')).find(l => l.textContent.includes('Lägenhetsnummer'));
        return label && label.htmlFor;""")
    assert apartment, "the fault report asks for the apartment number"
    tab_to(driver, f"[id='{apartment}']")
    keys(driver, "1102")
    tab_to(driver, "main form button.button-primary")  # "Review"
    press_and_wait(driver)
    assert T["new_case_confirm_title"] in main_text(driver), main_text(driver)[:400]

    tab_to(driver, "main form button.button-primary")  # "Confirm"
    press_and_wait(driver)
    match = re.match(r"^/cases/(\d+)\?notice=created", path_of(driver))
    assert match, f"confirming by keyboard did not open the new case but {path_of(driver)}"
    return int(match.group(1))


def reply_by_keyboard(driver, text):
    restart_from_top(driver)
    tab_to(driver, "textarea[name=body]", open_disclosures_holding="textarea[name=body]")
    keys(driver, text)
    # The message form's own send button, reached by Tab from the text (a file input may come first).
    form_id = driver.execute_script("return document.activeElement.form && document.activeElement.form.action")
    for _ in range(10):
        keys(driver, Keys.TAB)
        if driver.execute_script(
                "const el = document.activeElement; return el.tagName === 'BUTTON' && el.type === 'submit'"
                " && el.form && el.form.action === arguments[0]", form_id):
            break
    else:
        raise AssertionError("Tab never reached the message form's send button")
    assert focus_is_visible(driver), "the send button has the focus but shows no outline"
    press_and_wait(driver)


def test_a_customer_creates_answers_and_approves_a_case_with_the_keyboard_only(new_browser):
    anna = new_browser()
    login(anna, "solglantan", "anna")
    number = create_case_by_keyboard(anna, "Tangentbordsärende", "Lampan i trapphus C blinkar.")
    assert "Tangentbordsärende" in main_text(anna)

    reply_by_keyboard(anna, "Det gäller översta våningen.")
    assert any(body == "Det gäller översta våningen." for _, body in messages(anna)), messages(anna)

    # The company resolves the case (the staff side is not part of this journey) …
    staff = new_browser()
    staff_login(staff, "admin@example.com")
    open_page(staff, f"/staff/cases/{number}")
    click_and_wait_for_new_page(staff, find(staff, f"form[action='/staff/cases/{number}/status'] button[value='resolved']"))

    # … and Anna approves it with the keyboard.
    open_page(anna, f"/cases/{number}")
    restart_from_top(anna)
    tab_to(anna, f"form[action='/cases/{number}/approve'] button[type=submit]")
    press_and_wait(anna)
    assert T["status_closed"] in find(anna, ".case-head").text
