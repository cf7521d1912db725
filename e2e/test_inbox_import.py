"""Issue 11, points 16 and 17 in Chromium: a CSV file saved by Excel as "CSV (semicolon separated)"
(Windows-1252) imported through the browser with å ä ö right, its problems named by line and column,
the export downloaded as Excel-ready CSV; in the inquiry inbox "select all" and delete several after a
confirmation. axe-core checks every page touched.

Set E2E_SCREENSHOTS_DIR to keep PNGs of these pages at 360 px and 1440 px wide."""

import os
import uuid
from pathlib import Path

from selenium.webdriver.common.by import By

from helpers import T, click_and_wait_for_new_page, find, find_all, login, main_text, notice_text, open_page, path_of, \
    http_session, primary_button, url
from test_accessibility import AccessibilityAudit
from test_back_office import ANNA, send_inquiry, set_intake, staff_login


def shoot(driver, name):
    """PNGs of the current page at phone and desktop width, when E2E_SCREENSHOTS_DIR is set."""
    folder = os.environ.get("E2E_SCREENSHOTS_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for width in (360, 1440):
        driver.set_window_size(width, 900)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(height, 900), 4000))
        driver.save_screenshot(str(Path(folder) / f"{name}-{width}.png"))
    driver.set_window_size(1280, 900)


def windows_1252_contacts(word):
    """Contacts as Excel's "CSV (semicolon separated)" writes them on a Nordic Windows: cp1252, CRLF."""
    rows = ["first_name;last_name;email;phone;customer_numbers",
            f"Åsa;Ängström{word};asa.{word}@example.com;070-1;1001",
            f"Örjan;Öhman{word};;;1001",
            f"Æsa;Ødegård{word} €;;;1002"]
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


def upload(driver, kind, path):
    open_page(driver, "/staff/import")
    find(driver, f"input[name=kind][value={kind}]").click()
    find(driver, "#file").send_keys(str(path))
    click_and_wait_for_new_page(driver, primary_button(driver, "main form"))


def test_a_windows_1252_file_from_excel_is_imported_with_nordic_letters(new_browser, tmp_path):
    admin = new_browser()
    staff_login(admin, "admin@example.com")
    audit = AccessibilityAudit(admin)
    word = "w" + uuid.uuid4().hex[:8]
    good = tmp_path / "kontakter.csv"
    good.write_bytes(windows_1252_contacts(word))
    assert b"\xc5sa" in good.read_bytes(), "really Windows-1252 bytes, not UTF-8"

    open_page(admin, "/staff/import")
    audit.check("import form")
    shoot(admin, "import-form")
    upload(admin, "contacts", good)
    page = main_text(admin)
    assert "Windows-1252" in find(admin, "[data-import-encoding]").text
    for name in ("Åsa", f"Ängström{word}", "Örjan", f"Öhman{word}", "Æsa", f"Ødegård{word} €"):
        assert name in page, name
    audit.check("import preview of a Windows-1252 file")
    shoot(admin, "import-preview")
    click_and_wait_for_new_page(admin, find(admin, "form.import-run button[type=submit]"))
    assert notice_text(admin) == T["import_done"].replace("{n}", "3")

    open_page(admin, f"/staff/contacts?q={word}")
    listed = main_text(admin)
    assert f"Ängström{word}" in listed and f"Öhman{word}" in listed and f"Ødegård{word} €" in listed

    # A bad line: the quote opened on line 3 in the "name" column is named, in words.
    bad = tmp_path / "kunder.csv"
    bad.write_bytes("customer_number;name;short_code\r\n9301;Brf Åsen;asen\r\n9302;\"Brf Öst;ost\r\n".encode("cp1252"))
    upload(admin, "customers", bad)
    error = find(admin, "#import-error").text
    expected = T["import_error_unterminated_quote"].replace(
        "{place}", T["import_error_place_named"].replace("{line}", "3").replace("{column}", "2").replace("{name}", "name"))
    assert expected in error, error
    audit.check("import with a bad line")
    shoot(admin, "import-error")

    # The export opens in Excel: UTF-8 with BOM, semicolons, the imported names intact.
    session = http_session(admin)
    response = session.get(url(admin, "/staff/export/contacts"))
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    exported = response.content.decode("utf-8-sig")
    assert f"Åsa;Ängström{word};asa.{word}@example.com;070-1;1001\r\n" in exported
    assert "'+" not in exported.split("\r\n")[0]

    # The customer form's "handler" (who the customer's inquiries belong to).
    open_page(admin, "/staff/customers")
    click_and_wait_for_new_page(admin, find(admin, "main table a"))
    assert find(admin, "select#handler").is_displayed()
    audit.check("customer form with its handler")
    shoot(admin, "customer-form")
    audit.assert_clean()


def test_select_all_and_delete_several_after_a_confirmation(new_browser):
    admin, anna, handler = new_browser(), new_browser(), new_browser()
    staff_login(admin, "admin@example.com")
    set_intake(admin, "inquiries")
    try:
        login(anna, *ANNA)
        word = "i" + uuid.uuid4().hex[:8]
        subjects = [f"Kranen droppar {word}", f"Dörren kärvar {word}", f"Fläkten låter {word}"]
        for subject in subjects:
            send_inquiry(anna, subject, f"Beskrivning av {subject}")

        staff_login(handler, "handler@example.com")
        audit = AccessibilityAudit(handler)
        open_page(handler, "/staff/inbox")
        rows = find_all(handler, "tr[data-inquiry-id]")
        assert len(rows) >= 3
        # The actions are below the list, as the AP seed shows.
        table_bottom = find(handler, "#inbox-form table").rect
        bar_top = find(handler, ".bulk-bar").rect
        assert bar_top["y"] >= table_bottom["y"] + table_bottom["height"] - 1
        audit.check("inbox")
        shoot(handler, "inbox")

        select_all = find(handler, "#select-all")
        assert select_all.is_displayed(), "select all appears with JavaScript"
        select_all.click()
        boxes = find_all(handler, "tr[data-inquiry-id] input[type=checkbox]")
        assert all(box.is_selected() for box in boxes)
        boxes[0].click()
        assert not select_all.is_selected(), "one unticked: no longer all"
        select_all.click()
        assert all(box.is_selected() for box in boxes)
        count = len(boxes)

        click_and_wait_for_new_page(handler, find(handler, "button[name=action][value=delete]"))
        assert path_of(handler) == "/staff/inbox/bulk"
        assert T["inbox_confirm_delete_lead"].replace("{n}", str(count)) in main_text(handler)
        assert all(subject in main_text(handler) for subject in subjects)
        audit.check("confirm deleting several")
        shoot(handler, "inbox-confirm")
        # Cancel keeps them.
        click_and_wait_for_new_page(handler, handler.find_element(By.LINK_TEXT, T["cancel"]))
        assert all(subject in main_text(handler) for subject in subjects)

        find(handler, "#select-all").click()
        click_and_wait_for_new_page(handler, find(handler, "button[name=action][value=delete]"))
        click_and_wait_for_new_page(handler, find(handler, "main form button.button-danger"))
        assert notice_text(handler) == T["inbox_notice_deleted"].replace("{n}", str(count))
        assert not find_all(handler, "tr[data-inquiry-id]")

        open_page(handler, "/staff/inbox?mine=1")
        audit.check("inbox limited to my customers and objects")
        shoot(handler, "inbox-mine")
        audit.assert_clean()
    finally:
        set_intake(admin, "cases")
