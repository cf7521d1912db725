"""Small page helpers shared by the end-to-end tests.

Every helper takes the WebDriver the `browser` fixture made; the fixture stores the server's base URL
on it as `driver.base_url`. Texts are never hard-coded: they come from Resources/Locales/<lang>.json,
so a wording change in the app does not break the suite, while a missing or wrong text does.
"""

import email
import email.policy
import json
import re
import time
import struct
import zlib
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "Demo1234"
WAIT_SECONDS = 15

_locales = {}


def texts(language="en"):
    """The app's own strings for one language (Resources/Locales/<language>.json)."""
    if language not in _locales:
        folder = REPO_ROOT / "Resources" / "Locales"
        table = json.loads((folder / f"{language}.json").read_text(encoding="utf-8"))
        # Each part of the product may keep its strings in Locales/<area>/<language>.json (merged as the app does).
        for area in sorted(p for p in folder.iterdir() if p.is_dir()):
            extra = area / f"{language}.json"
            if extra.exists():
                table.update(json.loads(extra.read_text(encoding="utf-8")))
        _locales[language] = table
    return _locales[language]


T = texts("en")  # the browsers are launched with English (en-GB) as their language


# ---------------------------------------------------------------------------------------------
# Navigation and waiting


def wait(driver, seconds=WAIT_SECONDS):
    return WebDriverWait(driver, seconds)


def url(driver, path):
    return urljoin(driver.base_url, path)


def open_page(driver, path):
    driver.get(url(driver, path))
    wait(driver).until(lambda d: d.execute_script("return document.readyState") == "complete")


def relative(address):
    """An absolute URL without scheme and host, e.g. '/cases/1065?notice=created'."""
    return re.sub(r"^https?://[^/]+", "", address)


def path_of(driver):
    return relative(driver.current_url)


def click_and_wait_for_new_page(driver, element):
    """Clicks something that loads a new page and waits until that page has replaced the old one.

    The old page is marked with a property on its window; a new document starts without it. (Watching
    the old <html> element go stale is not reliable: chromedriver may answer with a generic error.)
    """
    driver.execute_script("window.__e2eOldPage = true")
    element.click()
    wait(driver).until(_new_page_loaded)


def _new_page_loaded(driver):
    try:
        return driver.execute_script(
            "return window.__e2eOldPage === undefined && document.readyState === 'complete'")
    except WebDriverException:  # between two documents there may be nothing to run the script in
        return False


def find(driver, css):
    return driver.find_element(By.CSS_SELECTOR, css)


def find_all(driver, css):
    return driver.find_elements(By.CSS_SELECTOR, css)


def heading(driver):
    return find(driver, "main h1").text


def main_text(driver):
    return find(driver, "main").text


def notice_text(driver):
    return find(driver, ".alert-success").text


def fill(driver, field_id, value):
    element = driver.find_element(By.ID, field_id)
    element.clear()
    element.send_keys(value)
    return element


def value_of(driver, field_id):
    return driver.find_element(By.ID, field_id).get_attribute("value")


def select_by_text(driver, field_id, visible_text):
    Select(driver.find_element(By.ID, field_id)).select_by_visible_text(visible_text)


def select_by_value(driver, field_id, value):
    Select(driver.find_element(By.ID, field_id)).select_by_value(value)


def selected_text(driver, field_id):
    return Select(driver.find_element(By.ID, field_id)).first_selected_option.text


def option_texts(driver, field_id):
    return [o.text for o in Select(driver.find_element(By.ID, field_id)).options]


def field_id_for_label(driver, label_text):
    """The id of the input a <label> names (type fields are called field_<id>, so look them up by label)."""
    for label in find_all(driver, "label[for]"):
        if label.text.strip().startswith(label_text):
            return label.get_attribute("for")
    raise AssertionError(f"no field labelled {label_text!r} on {path_of(driver)}")


def checkbox(driver, name):
    return find(driver, f"input[type=checkbox][name='{name}']")


def primary_button(driver, scope="main"):
    return find(driver, f"{scope} button.button-primary")


# ---------------------------------------------------------------------------------------------
# Login


def login(driver, org, user, password=DEMO_PASSWORD, expect_success=True):
    """Logs in through the real login form; by default waits for the case list."""
    open_page(driver, "/login")
    fill(driver, "organisation", org)
    fill(driver, "username", user)
    fill(driver, "password", password)
    click_and_wait_for_new_page(driver, primary_button(driver))
    if expect_success:
        assert path_of(driver).startswith("/cases"), (
            f"login as {org}/{user} did not reach /cases but {path_of(driver)}: {main_text(driver)[:300]}")


def logout(driver):
    click_and_wait_for_new_page(driver, find(driver, "form.logout-form button[type=submit]"))


def http_session(driver):
    """A requests session that carries the browser's cookies (session, CSRF, language)."""
    session = requests.Session()
    session.headers["Accept-Language"] = "en-GB"
    for cookie in driver.get_cookies():
        session.cookies.set(cookie["name"], cookie["value"], path=cookie.get("path", "/"))
    return session


def csrf_token(driver):
    return find(driver, "input[name=csrf_token]").get_attribute("value")


# ---------------------------------------------------------------------------------------------
# The case list


def case_numbers_on_page(driver):
    return [int(row.get_attribute("data-case-number")) for row in find_all(driver, "tr[data-case-number]")]


def all_case_rows(driver, query=""):
    """Every row the case list shows as (case number, row text), following rel=next through all pages."""
    open_page(driver, "/cases" + (f"?{query}" if query else ""))
    rows = []
    while True:
        rows += [(int(row.get_attribute("data-case-number")), row.text)
                 for row in find_all(driver, "tr[data-case-number]")]
        next_links = find_all(driver, "nav.pagination a[rel=next]")
        if not next_links:
            return rows
        click_and_wait_for_new_page(driver, next_links[0])


def all_case_numbers(driver, query=""):
    """Every case number the list shows, on every page."""
    return [number for number, _ in all_case_rows(driver, query)]


def total_shown(driver):
    """The number after 'Number of cases:' above the list."""
    text = find(driver, ".result-count").text
    match = re.search(r"(\d+)\s*$", text)
    assert match, f"no total in {text!r}"
    return int(match.group(1))


def search(driver, words):
    """Searches through the list's own search form and returns the case numbers on the first page."""
    if not path_of(driver).startswith("/cases") or find_all(driver, "#q") == []:
        open_page(driver, "/cases")
    fill(driver, "q", words)
    click_and_wait_for_new_page(driver, find(driver, "form.search button[type=submit]"))
    return case_numbers_on_page(driver)


def row_text(driver, number):
    return find(driver, f"tr[data-case-number='{number}']").text


# ---------------------------------------------------------------------------------------------
# New case


def choose_case_type(driver, type_name):
    """On /cases/new: picks the case type whose name is shown and presses Continue."""
    open_page(driver, "/cases/new")
    for choice in find_all(driver, "label.choice"):
        if choice.find_element(By.TAG_NAME, "strong").text == type_name:
            choice.find_element(By.CSS_SELECTOR, "input[type=radio][name=type]").click()
            break
    else:
        raise AssertionError(f"case type {type_name!r} is not offered")
    click_and_wait_for_new_page(driver, primary_button(driver))
    assert type_name in heading(driver)


def fill_fault_report(driver, subject, description, apartment="1102", category=None, obj=None):
    """Fills the form of the demo type "Felanmälan" (its required field is "Lägenhetsnummer")."""
    fill(driver, "subject", subject)
    fill(driver, "description", description)
    fill(driver, field_id_for_label(driver, "Lägenhetsnummer"), apartment)
    if category:
        select_by_text(driver, "category", category)
    if obj:
        select_by_text(driver, "object", obj)


def send_form(driver):
    """Presses "Review" on the new-case form (it leads to the confirmation page)."""
    click_and_wait_for_new_page(driver, primary_button(driver, "main form"))


def confirm(driver):
    """Presses "Confirm" on the confirmation page and returns the new case's number."""
    assert heading(driver) == T["new_case_confirm_title"], main_text(driver)[:500]
    click_and_wait_for_new_page(driver, primary_button(driver, "main form"))
    match = re.match(r"^/cases/(\d+)\?notice=created", path_of(driver))
    assert match, f"Confirm did not open the new case but {path_of(driver)}"
    return int(match.group(1))


def create_case(driver, subject, description, type_name="Felanmälan", **fields):
    """The whole new-case flow in one go (type → form → Review → Confirm); returns the case number."""
    choose_case_type(driver, type_name)
    fill_fault_report(driver, subject, description, **fields)
    send_form(driver)
    return confirm(driver)


def confirmation_summary(driver):
    """The confirmation page's summary as {label: value}."""
    summary = {}
    for item in find_all(driver, "dl.summary > div"):
        summary[item.find_element(By.TAG_NAME, "dt").text] = item.find_element(By.TAG_NAME, "dd").text
    return summary


# ---------------------------------------------------------------------------------------------
# A case page


def open_case(driver, number):
    open_page(driver, f"/cases/{number}")


def case_details(driver):
    """The case page's details list as {label: value}."""
    details = {}
    for item in find_all(driver, "dl.details > div"):
        details[item.find_element(By.TAG_NAME, "dt").text] = item.find_element(By.TAG_NAME, "dd").text
    return details


def messages(driver):
    """The case's messages, newest first, as (author, body) pairs."""
    shown = []
    for item in find_all(driver, "ol.messages > li"):
        author = item.find_element(By.CSS_SELECTOR, ".message-meta strong").text
        body = item.find_element(By.CSS_SELECTOR, ".prose").get_attribute("textContent").strip()
        shown.append((author, body))
    return shown


def open_message_box(driver):
    """Writing a message is behind "+ Write a message" (a <details>, issue 11 point 6): opens it."""
    box = find(driver, "details.write-message")
    if box.get_attribute("open") is None:
        box.find_element(By.TAG_NAME, "summary").click()
    return box


def send_message(driver, body, copy_to_me=False):
    open_message_box(driver)
    fill(driver, "body", body)
    if copy_to_me:
        checkbox(driver, "copy_to_me").click()
    click_and_wait_for_new_page(driver, find(driver, "#messages form button.button-primary"))


def upload_files(driver, *paths):
    """Chooses the files in the upload form (it takes several at once) and presses Upload."""
    driver.find_element(By.ID, "upload").send_keys("\n".join(str(p) for p in paths))
    click_and_wait_for_new_page(driver, find(driver, "form.upload-form button[type=submit]"))


def file_links(driver):
    """{file name: download path} for the files listed on the case page."""
    links = {}
    for link in find_all(driver, "ul.files .file-info a[download]"):
        links[link.text] = relative(link.get_attribute("href"))
    return links


def documents(driver):
    """{document name: download path} on the Documents page (/files)."""
    open_page(driver, "/files")
    return {link.text: relative(link.get_attribute("href")) for link in find_all(driver, "main table a[download]")}


def remove_file(driver, name):
    """Removes a file from the case page: "Remove" opens a confirmation page (issue 12 point 7), whose
    button removes it."""
    for item in find_all(driver, "ul.files > li"):
        if item.find_element(By.CSS_SELECTOR, ".file-info a").text == name:
            click_and_wait_for_new_page(driver, item.find_element(By.CSS_SELECTOR, "a.file-remove"))
            assert name in main_text(driver), "the confirmation names the file"
            click_and_wait_for_new_page(driver, find(driver, "#confirm-button"))
            return
    raise AssertionError(f"no file {name!r} to remove")


# ---------------------------------------------------------------------------------------------
# Test data


def tiny_png(width=2, height=2):
    """A valid PNG image (red pixels), made without any imaging library."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))



def wait_for_mail(mail_dir, recipient, matches, seconds=30):
    """The first message to `recipient` in the SMTP test server's folder whose plain text `matches`
    (a function of the text; its truthy result is returned with the message), within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if recipient not in str(message.get("X-Envelope-To", "")) + str(message.get("To", "")):
                continue
            body = message.get_body(preferencelist=("plain",))
            found = body is not None and matches(body.get_content())
            if found:
                return message, found
        time.sleep(0.3)
    pytest.fail(f"no mail to {recipient} matching within {seconds}s")
