"""The staff side of the loop (issue 11 points 1, 3, 5) in a real browser: a handler registers a case
for a demo customer from the customer's page, uploads a file to it, and the customer sees the case with
the company's marker and the file; the customer writes, and the handler's case page shows the unread
box naming the message until "Mark as read". axe-core checks every page touched on the way.

With E2E_SCREENSHOTS=1 the pages are also saved as PNGs at 360 px and 1440 px wide (in
E2E_ARTIFACTS_DIR/staff-loop/), to be looked at."""

import os
import uuid
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from helpers import (REPO_ROOT, T, click_and_wait_for_new_page, file_links, fill, find, find_all, login, main_text,
                     notice_text, open_case, open_page, path_of, primary_button, send_message, tiny_png)
from test_accessibility import AccessibilityAudit
from test_back_office import staff_login

ANNA = ("solglantan", "anna")


def screenshots(driver, name):
    """At 360 px and 1440 px, when asked for (E2E_SCREENSHOTS=1)."""
    if os.environ.get("E2E_SCREENSHOTS") != "1":
        return
    folder = Path(os.environ.get("E2E_ARTIFACTS_DIR", REPO_ROOT / "e2e" / "artifacts")) / "staff-loop"
    folder.mkdir(parents=True, exist_ok=True)
    size = driver.get_window_size()
    for width in (360, 1440):
        driver.set_window_size(width, 900)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(height + 150, 6000))
        driver.save_screenshot(str(folder / f"{name}-{width}.png"))
    driver.set_window_size(size["width"], size["height"])


def test_staff_create_a_case_upload_a_file_and_read_the_customers_answer(new_browser, tmp_path):
    staff, anna = new_browser(), new_browser()
    staff_login(staff, "handler@example.com")
    audit = AccessibilityAudit(staff)

    # The customer's page: its documents (B9) and "New case".
    open_page(staff, "/staff/customers?q=Solgl%C3%A4ntan")
    click_and_wait_for_new_page(staff, staff.find_element(By.LINK_TEXT, "Brf Solgläntan"))
    assert find_all(staff, "#files"), "the customer page shows its files"
    audit.check("customer page with files")
    screenshots(staff, "customer")
    click_and_wait_for_new_page(staff, staff.find_element(By.LINK_TEXT, T["md_related_new_case"]))
    assert path_of(staff).startswith("/staff/cases/new?customer=")
    audit.check("new case")
    screenshots(staff, "new-case")

    # A form with a problem keeps what was typed; then the case is registered.
    fill(staff, "description", "Termostaterna i alla lägenheter byts.")
    click_and_wait_for_new_page(staff, primary_button(staff, "main form"))
    assert find(staff, "#description").get_attribute("value") == "Termostaterna i alla lägenheter byts."
    audit.check("new case with an error")
    subject = "Termostatbyte " + uuid.uuid4().hex[:8]
    fill(staff, "subject", subject)
    contact = Select(find(staff, "#contact"))
    contact.select_by_visible_text(next(o.text for o in contact.options if o.text.startswith("Anna")))
    click_and_wait_for_new_page(staff, primary_button(staff, "main form"))
    assert path_of(staff).startswith("/staff/cases/"), path_of(staff)
    number = int(path_of(staff).split("/")[3].split("?")[0])
    assert notice_text(staff) == T["staff_notice_created"]

    # Staff upload a file to the case.
    picture = tmp_path / "ritning.png"
    picture.write_bytes(tiny_png(8, 8))
    staff.find_element(By.ID, "upload").send_keys(str(picture))
    click_and_wait_for_new_page(staff, find(staff, "#files form.upload-form button[type=submit]"))
    assert notice_text(staff) == T["staff_notice_uploaded"]
    assert "ritning.png" in file_links(staff)
    assert find_all(staff, "#files .thumb img"), "an image gets a thumbnail"

    # The customer sees the case, marked as the company's, and the file.
    login(anna, *ANNA)
    open_case(anna, number)
    assert subject in main_text(anna)
    assert T["origin_company"] in main_text(anna)
    assert "ritning.png" in file_links(anna)

    # The customer answers; the handler's case page names it in the unread box, above the messages.
    question = "Kan ni komma efter klockan 16? " + uuid.uuid4().hex[:6]
    send_message(anna, question)
    open_page(staff, f"/staff/cases/{number}")
    box = find(staff, "[data-unread]")
    assert question in box.text
    assert box.location["y"] < find(staff, "#messages").location["y"]
    audit.check("case page with the unread box")
    screenshots(staff, "case-unread")
    click_and_wait_for_new_page(staff, find(staff, "[data-unread] form button"))
    assert notice_text(staff) == T["staff_notice_read"]
    assert not find_all(staff, "[data-unread]")

    # Removing the file asks first.
    for item in find_all(staff, "#files ul.files > li"):
        if item.find_element(By.CSS_SELECTOR, ".file-info a").text == "ritning.png":
            click_and_wait_for_new_page(staff, item.find_element(By.CSS_SELECTOR, "a.button-danger"))
            break
    assert "ritning.png" in main_text(staff)
    audit.check("remove a file?")
    screenshots(staff, "file-remove")
    click_and_wait_for_new_page(staff, find(staff, "main form button.button-danger"))
    assert notice_text(staff) == T["staff_notice_removed"]
    assert "ritning.png" not in file_links(staff)
    open_case(anna, number)
    assert "ritning.png" not in file_links(anna)

    # The case list: "mark my cases as read" and its count.
    open_page(staff, "/staff/cases")
    audit.check("case list")
    audit.assert_clean()


def test_a_user_without_a_contact_gets_a_receipt(new_browser):
    """A7: a portal user without a contact may register cases but sees none; after Confirm they get a
    receipt with the number, not a 404."""
    from helpers import choose_case_type, fill_fault_report, heading, send_form

    staff, guest = new_browser(), new_browser()
    staff_login(staff, "handler@example.com")
    username = "gast" + uuid.uuid4().hex[:6]
    open_page(staff, "/staff/portal-users/new")
    fill(staff, "organisation", "1001")
    fill(staff, "username", username)
    fill(staff, "first_name", "Gäst")
    fill(staff, "last_name", "Utan kontakt")
    Select(find(staff, "#login_kind")).select_by_value("contact")
    fill(staff, "password", "Demo1234")
    fill(staff, "password_confirm", "Demo1234")
    click_and_wait_for_new_page(staff, primary_button(staff, "main form"))
    assert not find_all(staff, ".alert-error"), main_text(staff)[:500]

    login(guest, "solglantan", username)
    choose_case_type(guest, "Felanmälan")
    subject = "Trasig lampa " + uuid.uuid4().hex[:6]
    fill_fault_report(guest, subject, "I trapphuset")
    send_form(guest)
    click_and_wait_for_new_page(guest, primary_button(guest, "main form"))
    assert path_of(guest).startswith("/cases/new/receipt?number="), path_of(guest)
    number = path_of(guest).split("=")[1]
    assert heading(guest) == T["new_case_receipt_title"]
    assert T["new_case_receipt_text"].replace("{number}", number) in main_text(guest)
    audit = AccessibilityAudit(guest)
    audit.check("receipt")
    screenshots(guest, "receipt")
    audit.assert_clean()
