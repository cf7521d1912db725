"""axe-core on the portal's pages: no violation of impact "serious" or "critical" is allowed.

Each test walks one path through the portal the way a person does (logged in, forms filled, files
uploaded) and lets axe-core (bundled with axe-selenium-python) check every page on the way in the
browser. All pages of a test are checked before it fails, and the failure lists every serious or
critical violation with the page, the rule, the elements and what to fix.
"""

from axe_selenium_python import Axe

from helpers import (choose_case_type, create_case, fill, fill_fault_report, login, open_case, open_page,
                     path_of, send_form, send_message, tiny_png, upload_files)

ANNA = ("solglantan", "anna")
BLOCKING = ("serious", "critical")


class AccessibilityAudit:
    """Runs axe-core on pages one after another and keeps the blocking violations of each."""

    def __init__(self, driver):
        self.driver = driver
        self.findings = []  # (page, violation)
        self.pages = []

    def check(self, page_name):
        axe = Axe(self.driver)
        # Injected once per page: a check at another window width finds it there already.
        version = self.driver.execute_script("return typeof axe === 'undefined' ? null : axe.version")
        if version is None:
            axe.inject()
            version = self.driver.execute_script("return axe.version")
        assert int(version.split(".")[0]) >= 4, (
            f"axe-core {version} is too old: before 3.2 it reports every visually hidden <label> as missing. "
            "Install axe-selenium-python>=3 (scripts/e2e.sh does).")
        # Every rule runs; only the violations come back whole (passes with one element each), which
        # keeps the answer from the browser small.
        results = axe.run(options="{resultTypes: ['violations']}")
        assert results["passes"], "axe-core ran no checks at all: the injection failed"
        where = f"{page_name} ({path_of(self.driver)})"
        self.pages.append(where)
        self.findings += [(where, v) for v in results["violations"] if v["impact"] in BLOCKING]

    def assert_clean(self):
        assert not self.findings, describe(self.findings)


def describe(findings):
    """The violations as readable lines: page, rule, impact, and each element with what to fix."""
    lines = [f"{len(findings)} serious or critical accessibility violation(s):"]
    for page, violation in findings:
        lines.append(f"- {page}: [{violation['impact']}] {violation['id']}: {violation['help']} "
                     f"({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(str(t) for t in node['target'])}: {node['html'][:200]}")
            lines.extend("        " + line for line in (node.get("failureSummary") or "").splitlines())
    return "\n".join(lines)


def test_login_pages(browser):
    audit = AccessibilityAudit(browser)
    open_page(browser, "/login")
    audit.check("login")
    login(browser, "solglantan", "nobody", password="wrong", expect_success=False)
    audit.check("login with an error")
    audit.assert_clean()


def test_case_list_documents_and_error_pages(browser):
    audit = AccessibilityAudit(browser)
    login(browser, *ANNA)
    audit.check("case list")
    open_page(browser, "/cases?q=kran&state=active&from=2020-01-01&to=bad-date")
    audit.check("case list, filtered, with a date error")
    open_page(browser, "/cases?q=qzxjvw")
    audit.check("case list without hits")
    open_page(browser, "/files")
    audit.check("documents")
    open_case(browser, 999999)
    audit.check("not found")
    audit.assert_clean()


def test_new_case_pages(browser):
    audit = AccessibilityAudit(browser)
    login(browser, *ANNA)
    open_page(browser, "/cases/new")
    audit.check("new case: choose type")
    choose_case_type(browser, "Felanmälan")
    audit.check("new case form")
    fill(browser, "copy_email", "not-an-address")
    send_form(browser)
    audit.check("new case form with errors")
    fill_fault_report(browser, "Trasig dörrklocka", "Dörrklockan vid port B ringer inte.", category="El")
    fill(browser, "copy_email", "anna@solglantan.example")
    send_form(browser)
    audit.check("new case confirmation")
    audit.assert_clean()


def test_case_pages(browser, tmp_path):
    audit = AccessibilityAudit(browser)
    login(browser, *ANNA)
    open_case(browser, 1001)  # a closed demo case with messages from the company
    audit.check("closed demo case")
    create_case(browser, "Sprucken ruta i tvättstugan", "Fönstret i tvättstugan har en spricka.")
    send_message(browser, "En bild på sprickan kommer.")
    picture = tmp_path / "spricka.png"
    picture.write_bytes(tiny_png())
    note = tmp_path / "anteckning.txt"
    note.write_text("Sprickan är 20 cm lång.", encoding="utf-8")
    upload_files(browser, picture, note)
    audit.check("open case with messages, a picture and a file")
    audit.assert_clean()


def test_shared_account_pages(browser):
    audit = AccessibilityAudit(browser)
    login(browser, "solglantan", "styrelsen")
    choose_case_type(browser, "Felanmälan")
    audit.check("new case form with the person picker")
    send_form(browser)
    audit.check("person picker with errors")
    open_case(browser, 1002)
    audit.check("case page with the person picker")
    audit.assert_clean()


def test_case_mail_choice_and_settings_pages(browser, tmp_path):
    """Issue 11: the user's own page with the case-mail choice (reached by the signed-in name), the
    settings page with the new-case rules and reminder time, and a case type's approval button."""
    from test_back_office_admin import staff_login
    audit = AccessibilityAudit(browser)
    login(browser, *ANNA)
    from helpers import find, click_and_wait_for_new_page
    click_and_wait_for_new_page(browser, find(browser, "a.signed-in-as"))
    assert path_of(browser).startswith("/users/"), path_of(browser)
    audit.check("own user page with the case-mail choice")
    shoot(browser, "own-user-page")
    click_and_wait_for_new_page(browser, find(browser, "#case-mail button[type=submit]"))
    audit.check("own user page after saving the case-mail choice")
    browser.delete_all_cookies()
    staff_login(browser, "admin@example.com")
    open_page(browser, "/staff/settings")
    audit.check("settings with the new-case rules and the reminder time")
    shoot(browser, "settings")
    fill(browser, "approval_reminder_days", "0")
    click_and_wait_for_new_page(browser, find(browser, "main button.button-primary"))
    audit.check("settings with a reminder-time error")
    open_page(browser, "/staff/settings/types")
    audit.check("case types")
    audit.assert_clean()


def shoot(driver, name):
    """With E2E_SHOTS=<folder>, the page at 360 px and 1440 px wide, to look at."""
    import os
    folder = os.environ.get("E2E_SHOTS")
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    for width in (360, 1440):
        driver.set_window_size(width, 1000)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(height, 4000))
        driver.save_screenshot(os.path.join(folder, f"{name}-{width}.png"))
    driver.set_window_size(1280, 1000)


def test_conversation_first_case_pages(browser, tmp_path):
    """Issue 12: a reply carrying a file shows it as a chip inside that message; a failed post brings
    the error summary (focused, linking to the field); the staff page's reply and note forms."""
    from selenium.webdriver.common.by import By

    from helpers import click_and_wait_for_new_page, find, open_message_box
    from test_back_office_admin import staff_login
    audit = AccessibilityAudit(browser)
    login(browser, *ANNA)
    number = create_case(browser, "Droppande kran i köket", "Kranen droppar hela natten.")
    picture = tmp_path / "kran.png"
    picture.write_bytes(tiny_png())
    open_message_box(browser)
    fill(browser, "body", "Här är en bild på kranen.")
    browser.find_element(By.ID, "message-files").send_keys(str(picture))
    click_and_wait_for_new_page(browser, find(browser, "#messages form button.button-primary"))
    newest = find(browser, "ol.messages > li")
    assert "Här är en bild på kranen." in newest.text
    assert "kran.png" in newest.find_element(By.CSS_SELECTOR, ".chips a.chip").text, "the file is inside its message"
    audit.check("case page with a file in its message")

    open_message_box(browser)
    click_and_wait_for_new_page(browser, find(browser, "#messages form button.button-primary"))
    summary = find(browser, "#error-summary")
    assert summary.get_attribute("role") == "alert"
    assert browser.switch_to.active_element == summary, "the summary has focus"
    assert summary.find_element(By.CSS_SELECTOR, "a[href='#body']")
    audit.check("case page with the error summary")

    browser.delete_all_cookies()
    staff_login(browser, "handler@example.com")
    open_page(browser, f"/staff/cases/{number}")
    assert "kran.png" in find(browser, "ol.messages .chips").text
    find(browser, "#note > summary").click()
    audit.check("staff case page with the reply and the note form open")
    click_and_wait_for_new_page(browser, find(browser, "#note button[type=submit]"))
    assert find(browser, "#error-summary a[href='#note-body']")
    audit.check("staff case page with a note error")


def test_sorted_lists_confirmations_and_deactivation_question(browser, tmp_path):
    """Issue 12 points 4 and 7: the case lists sorted by a column (header links with aria-sort), the
    staff filters' folding panel open and closed, the portal's "Remove the file?" page, and the
    question before a staff account is deactivated."""
    from test_back_office_admin import staff_login
    from helpers import find, click_and_wait_for_new_page
    audit = AccessibilityAudit(browser)
    login(browser, *ANNA)
    open_page(browser, "/cases?sort=subject&dir=asc")
    assert find(browser, "th[aria-sort=ascending] a.sort-link"), "the sorted column says so"
    audit.check("case list sorted by subject")
    create_case(browser, "Trasig lampa i källaren", "Lampan vid förråd 3 lyser inte.")
    note = tmp_path / "lampa.txt"
    note.write_text("Lysrör, 120 cm.", encoding="utf-8")
    upload_files(browser, note)
    click_and_wait_for_new_page(browser, find(browser, "a.file-remove"))
    assert "lampa.txt" in find(browser, "main").text
    audit.check("remove a file: the confirmation")
    browser.delete_all_cookies()
    staff_login(browser, "admin@example.com")
    open_page(browser, "/staff/cases")
    audit.check("staff case list, filters folded")
    open_page(browser, "/staff/cases?handler=none&sort=created&dir=asc")
    assert find(browser, "details.filters[open]")
    audit.check("staff case list, a filter set, sorted by created")
    open_page(browser, "/staff/staff-users")
    from selenium.webdriver.common.by import By
    click_and_wait_for_new_page(browser, browser.find_element(By.LINK_TEXT, "Henrik Handläggare"))
    active = find(browser, "input[name=is_active]")
    assert active.is_selected()
    active.click()
    click_and_wait_for_new_page(browser, find(browser, "main form .actions button.button-primary"))
    assert find(browser, "#confirm_deactivate"), "deactivating asks first"
    audit.check("deactivate a staff account: the question")
    # Revoking an API token asks first too.
    from selenium.webdriver.support.ui import Select
    open_page(browser, "/staff/api-tokens")
    fill(browser, "name", "Tillgänglighetstest")
    Select(find(browser, "#owner")).select_by_index(1)
    click_and_wait_for_new_page(browser, find(browser, "main form button.button-primary"))
    revoke = browser.find_elements(By.CSS_SELECTOR, "form[action$='/revoke'] button")
    assert revoke, "the new token can be revoked"
    click_and_wait_for_new_page(browser, revoke[-1])
    assert find(browser, "#confirm-button")
    audit.check("revoke an API token: the confirmation")
    audit.assert_clean()
