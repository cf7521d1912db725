"""The back office's administration in a real browser (issue 4: D1, D6, E5): an administrator imports
customers and contacts from CSV files through the preview, edits a contact's links, finds the import
in the audit log; a handler is refused the admin pages. axe-core checks every page on the way.
"""

import json
import time

from selenium.webdriver.common.by import By

from helpers import (T, REPO_ROOT, DEMO_PASSWORD, click_and_wait_for_new_page, fill, find, find_all, main_text,
                     open_page, path_of, primary_button)
from test_accessibility import AccessibilityAudit

M = json.loads((REPO_ROOT / "Resources" / "Locales" / "master" / "en.json").read_text(encoding="utf-8"))


def staff_login(driver, email):
    open_page(driver, "/staff/login")
    fill(driver, "email", email)
    fill(driver, "password", DEMO_PASSWORD)
    click_and_wait_for_new_page(driver, primary_button(driver))
    assert path_of(driver) == "/staff", main_text(driver)[:300]


def upload(driver, tmp_path, kind, name, text):
    open_page(driver, "/staff/import")
    find(driver, f"input[name=kind][value={kind}]").click()
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    find(driver, "#file").send_keys(str(path))
    click_and_wait_for_new_page(driver, primary_button(driver))


def test_an_administrator_imports_and_edits_master_data(browser, tmp_path):
    audit = AccessibilityAudit(browser)
    staff_login(browser, "admin@example.com")
    stamp = str(int(time.time()))
    number = f"E2E-{stamp}"

    upload(browser, tmp_path, "customers", "kunder.csv",
           f"customer_number;name;short_code\n{number};Brf Testgården {stamp};tg{stamp}\n")
    audit.check("import preview, clean")
    click_and_wait_for_new_page(browser, primary_button(browser))
    assert M["import_done"].replace("{n}", "1") in main_text(browser)
    audit.check("import form after an import")

    rows = "\n".join(f"Person{i};Efternamn {i};p{i}.{stamp}@example.com;;{number}" for i in range(30))
    bad = f"first_name;last_name;email;phone;customer_numbers\n{rows}\nTrasig;Rad;inte-en-adress;;NOPE\n"
    upload(browser, tmp_path, "contacts", "kontakter.csv", bad)
    audit.check("import preview with problems")
    assert find(browser, "[data-import-bad]").text == "1"
    assert find(browser, "tr[data-import-line='32']")
    assert not find_all(browser, "form[action='/staff/import/run']"), "no import while a row has problems"

    upload(browser, tmp_path, "contacts", "kontakter.csv", f"first_name;last_name;email;phone;customer_numbers\n{rows}\n")
    click_and_wait_for_new_page(browser, primary_button(browser))
    assert M["import_done"].replace("{n}", "30") in main_text(browser)

    # The contacts are there, linked to the new customer; open one and link an object by number.
    open_page(browser, f"/staff/contacts?q=p7.{stamp}")
    audit.check("contact list")
    click_and_wait_for_new_page(browser, find(browser, "table a"))
    audit.check("contact page")
    assert f"Brf Testgården {stamp}" in main_text(browser)
    fill(browser, "link_object", "999999")
    click_and_wait_for_new_page(browser, find(browser, "form[action$='/objects'] button"))
    assert M["md_error_unknown_object"] in main_text(browser)
    audit.check("contact page with a link error")

    for page in ["/staff/customers", "/staff/customers/new", "/staff/objects", "/staff/portal-users",
                 "/staff/portal-users/1", "/staff/staff-users", "/staff/staff-users/new"]:
        open_page(browser, page)
        audit.check(page)

    open_page(browser, "/staff/audit?action=data_imported")
    audit.check("audit log")
    assert "30 rows from kontakter.csv" in main_text(browser)
    audit.assert_clean()


def test_a_handler_is_refused_the_admin_pages(browser):
    staff_login(browser, "handler@example.com")
    assert not find_all(browser, "nav a[href='/staff/audit']")
    for page in ["/staff/staff-users", "/staff/audit", "/staff/import"]:
        open_page(browser, page)
        assert T["error_forbidden"] in main_text(browser), page
    open_page(browser, "/staff/customers")
    assert find(browser, "h1").text == M["md_customers"]
