"""What a customer does in the portal, click by click, with the outcome checked on the page."""

import shutil
import subprocess
import uuid

import requests
from selenium.webdriver.common.by import By

from helpers import (T, all_case_rows, case_details, checkbox, choose_case_type, click_and_wait_for_new_page,
                     confirm, confirmation_summary, create_case, fill, fill_fault_report, field_id_for_label, file_links,
                     find, find_all, heading, http_session, login, logout, main_text, messages, notice_text,
                     open_case, open_page, option_texts, path_of, remove_file, row_text, search, select_by_text,
                     select_by_value, selected_text, send_form, open_message_box, send_message, texts, tiny_png, total_shown,
                     upload_files, url, value_of)

ANNA = ("solglantan", "anna")
SHARED_BOARD = ("solglantan", "styrelsen")


def unique_word():
    """A word no demo case contains, so a search for it finds only what the test made."""
    return "e2e" + uuid.uuid4().hex[:10]


def test_login_shows_the_case_list_and_logout_ends_the_session(browser):
    open_page(browser, "/cases")
    assert path_of(browser) == "/login", "an anonymous visitor must be sent to the login page"

    login(browser, "solglantan", "anna", password="wrong-password", expect_success=False)
    assert path_of(browser) == "/login"
    assert find(browser, "#login-error").text == T["login_error_invalid"]
    assert find(browser, "#organisation").get_attribute("value") == "solglantan", "typed organisation is kept"

    login(browser, *ANNA)
    assert heading(browser) == T["cases_title"]
    assert find(browser, ".signed-in-as").text == "Anna Lindqvist"
    total = total_shown(browser)
    assert total >= 33, "anna sees the 33 demo cases of Brf Solgläntan (plus any made by other tests)"
    assert len(find_all(browser, "tr[data-case-number]")) == 25, "a page holds 25 cases"
    rows = all_case_rows(browser)  # follows rel=next through every page
    numbers = [number for number, _ in rows]
    assert len(numbers) == total and len(set(numbers)) == total, "every case once, on one of the pages"
    assert numbers == sorted(numbers, reverse=True), "newest first"
    assert "Läckande kran i tvättstugan" in dict(rows)[1001]

    logout(browser)
    assert path_of(browser) == "/login"
    open_page(browser, "/cases")
    assert path_of(browser) == "/login", "after logout the case list needs a new login"


def test_create_case_with_confirmation_cancel_and_confirm(browser):
    login(browser, *ANNA)
    word = unique_word()
    subject = f"Droppande element {word}"
    description = f"Elementet i sovrummet droppar ({word}).\nSyns mest på morgonen."

    choose_case_type(browser, "Felanmälan")
    fill_fault_report(browser, subject, description, apartment="1204", category="Värme",
                      obj="Solgläntan hus B – Gläntvägen 4, 412 58 Göteborg")
    fill(browser, "work_site_address", "Gläntvägen 4, lgh 1204")
    fill(browser, "reference_name", "Anna L")
    checkbox(browser, "copy_by_email").click()
    fill(browser, "copy_email", "anna.copy@solglantan.example")
    send_form(browser)

    assert heading(browser) == T["new_case_confirm_title"]
    summary = confirmation_summary(browser)
    assert summary[T["case_type"]] == "Felanmälan"
    assert summary[T["case_subject"]] == subject
    assert summary[T["case_description"]] == description
    assert summary[T["case_category"]] == "Värme"
    assert summary["Lägenhetsnummer"] == "1204"
    assert summary[T["new_case_copy_by_email"]] == "anna.copy@solglantan.example"

    # "Cancel and edit" goes back to the form with everything still filled in.
    back = browser.find_element(By.XPATH, "//main//button[@formaction='/cases/new/edit']")
    assert back.text == T["new_case_back_to_form"]
    click_and_wait_for_new_page(browser, back)
    assert heading(browser).startswith(T["new_case_title"])
    assert value_of(browser, "subject") == subject
    assert value_of(browser, "description") == description
    assert value_of(browser, field_id_for_label(browser, "Lägenhetsnummer")) == "1204"
    assert selected_text(browser, "category") == "Värme"
    assert selected_text(browser, "object").startswith("Solgläntan hus B")
    assert value_of(browser, "work_site_address") == "Gläntvägen 4, lgh 1204"
    assert value_of(browser, "reference_name") == "Anna L"
    assert checkbox(browser, "copy_by_email").is_selected()
    assert value_of(browser, "copy_email") == "anna.copy@solglantan.example"

    send_form(browser)
    number = confirm(browser)
    assert number > 1064, "new cases are numbered after the 65 demo cases (1001–1065)"
    assert notice_text(browser) == T["notice_created"]
    assert subject in heading(browser) and str(number) in heading(browser)
    details = case_details(browser)
    assert details[T["case_type"]] == "Felanmälan"
    assert details[T["case_category"]] == "Värme"
    assert details[T["case_object"]].startswith("Solgläntan hus B")
    assert details[T["case_customer"]] == "Brf Solgläntan"
    assert details["Lägenhetsnummer"] == "1204"
    assert details[T["new_case_work_site_address"]] == "Gläntvägen 4, lgh 1204"
    assert "Anna Lindqvist" in details[T["case_created"]]
    assert T["origin_portal"] in details[T["case_created"]]

    # The new case is first in the list (newest first), and search finds it by a word and by number.
    open_page(browser, "/cases")
    first_row = find(browser, "tr[data-case-number]")
    assert first_row.get_attribute("data-case-number") == str(number)
    assert subject in first_row.text
    assert search(browser, word) == [number]
    assert search(browser, word.upper()) == [number], "search does not depend on letter case"
    assert search(browser, str(number)) == [number]


def test_a_form_error_keeps_what_was_typed(browser):
    login(browser, *ANNA)
    choose_case_type(browser, "Felanmälan")
    description = "Ytterdörren går inte att låsa.\nNyckeln går runt utan att låsa."
    fill_fault_report(browser, subject="", description=description, apartment="1301", category="Lås")
    send_form(browser)

    assert path_of(browser) == "/cases/new", "the form is shown again, not the confirmation"
    # Issue 12: the error summary at the top has focus and links to the failing field.
    summary = find(browser, "#error-summary")
    assert summary.get_attribute("role") == "alert" and T["error_summary_heading"] in summary.text
    assert browser.switch_to.active_element == summary, "the summary has focus"
    link = summary.find_element(By.CSS_SELECTOR, "a[href='#subject']")
    assert T["form_required"] in link.text
    subject = find(browser, "#subject")
    assert subject.get_attribute("aria-invalid") == "true"
    assert find(browser, "#subject-error").text == T["form_required"]
    assert value_of(browser, "description") == description
    assert value_of(browser, field_id_for_label(browser, "Lägenhetsnummer")) == "1301"
    assert selected_text(browser, "category") == "Lås"

    # Correcting the one field is enough to get to the confirmation page.
    fill(browser, "subject", "Ytterdörren låser inte")
    send_form(browser)
    assert heading(browser) == T["new_case_confirm_title"]
    assert confirmation_summary(browser)[T["case_description"]] == description


def test_add_a_message_to_a_case(browser):
    login(browser, *ANNA)
    number = create_case(browser, f"Knackande rör {unique_word()}", "Rören i källaren knackar när värmen går igång.")
    body = f"Det knackar fortfarande, nu även på vinden. ({unique_word()})"

    send_message(browser, body, copy_to_me=True)
    assert path_of(browser).startswith(f"/cases/{number}?notice=message")
    assert notice_text(browser) == T["notice_message"]
    newest_author, newest_body = messages(browser)[0]
    assert (newest_author, newest_body) == ("Anna Lindqvist", body)
    assert value_of(browser, "body") == "", "the message box is empty again after sending"

    # An empty message is refused and nothing is added.
    count_before = len(messages(browser))
    open_message_box(browser)
    click_and_wait_for_new_page(browser, find(browser, "#messages form button.button-primary"))
    assert find(browser, "#body-error").text == T["message_error_empty"]
    assert len(messages(browser)) == count_before

    # The message is part of the case for good: it is there on a fresh load and search finds it.
    open_case(browser, number)
    assert body in [text for _, text in messages(browser)]
    assert search(browser, body.split("(")[1].rstrip(")")) == [number]


def test_upload_download_and_remove_files(browser, tmp_path):
    login(browser, *ANNA)
    number = create_case(browser, f"Vattenskada i förråd {unique_word()}", "Det har runnit vatten in i förråd 12.")
    text_file = tmp_path / "protokoll-besiktning.txt"
    text_file.write_text("Besiktningsprotokoll\nFörråd 12: fuktskada på golvet.\n", encoding="utf-8")
    image_file = tmp_path / "fuktflack.png"
    image_file.write_bytes(tiny_png())

    upload_files(browser, text_file, image_file)
    assert path_of(browser).startswith(f"/cases/{number}?notice=uploaded")
    assert notice_text(browser) == T["notice_uploaded"]
    links = file_links(browser)
    assert set(links) == {text_file.name, image_file.name}
    bodies = [body for _, body in messages(browser)]
    for name in (text_file.name, image_file.name):
        assert T["message_file_uploaded"].replace("{name}", name) in bodies
    # The picture gets a thumbnail; the text file does not.
    thumbnails = find_all(browser, "ul.files img")
    assert [img.get_attribute("alt") for img in thumbnails] == [image_file.name]
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", thumbnails[0]) == 2

    # Both download with the browser's session as attachments with the exact bytes uploaded.
    http = http_session(browser)
    for name, path in ((text_file.name, text_file), (image_file.name, image_file)):
        response = http.get(url(browser, links[name]), timeout=10)
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and f'filename="{name}"' in disposition
        assert response.content == path.read_bytes()
    png = http.get(url(browser, links[image_file.name]), timeout=10)
    assert png.headers["Content-Type"] == "image/png"
    text = http.get(url(browser, links[text_file.name]), timeout=10)
    assert text.headers["Content-Type"] == "application/octet-stream", "unknown content is never served as-is"
    # Without the session the file is not served.
    anonymous = requests.get(url(browser, links[text_file.name]), timeout=10, allow_redirects=False)
    assert anonymous.status_code in (302, 303) and anonymous.headers["Location"].endswith("/login")

    remove_file(browser, text_file.name)
    assert path_of(browser).startswith(f"/cases/{number}?notice=removed")
    assert notice_text(browser) == T["notice_removed"]
    assert set(file_links(browser)) == {image_file.name}
    newest_author, newest_body = messages(browser)[0]
    assert newest_body == T["message_file_removed"].replace("{name}", text_file.name)
    assert http.get(url(browser, links[text_file.name]), timeout=10).status_code == 404


def test_switch_language_to_danish_and_then_english(new_browser):
    # The object login nordstjarnan is used only here: a language choice is saved on the account.
    browser = new_browser(language="sv")
    sv, da, en = texts("sv"), texts("da"), texts("en")
    open_page(browser, "/login")
    assert heading(browser) == sv["login_heading"], "Swedish is what a Swedish browser gets"

    switch_language(browser, "da")
    assert path_of(browser) == "/login"
    assert heading(browser) == da["login_heading"]
    assert find(browser, "html").get_attribute("lang") == "da"

    login(browser, "norrsken", "nordstjarnan")
    assert heading(browser) == da["cases_title"]
    assert find(browser, "nav.mainnav").text.split("\n")[0] == da["nav_cases"]
    assert find(browser, "form.logout-form button").text == da["logout"]
    open_page(browser, "/cases/new")
    assert heading(browser) == da["new_case_title"], "the choice holds on every page"

    switch_language(browser, "en")
    assert path_of(browser) == "/cases/new", "the switch returns to the page it was used on"
    assert heading(browser) == en["new_case_title"]
    assert find(browser, "html").get_attribute("lang") == "en"
    open_page(browser, "/cases")
    assert heading(browser) == en["cases_title"]
    assert find(browser, "form.language-switch button[aria-current=true]").get_attribute("value") == "en"


def switch_language(driver, code):
    """One click (A3): each language is its own button."""
    click_and_wait_for_new_page(driver, find(driver, f"form.language-switch button[value={code}]"))


def test_search_finds_cases_by_swedish_word_and_by_number(browser):
    login(browser, *ANNA)
    for query in ("läckande", "LÄCKANDE", "Läckan"):  # a word's beginning is enough (not "läck": "läckage")
        hits = search(browser, query)
        assert len(hits) >= 6, f"{query!r}: the demo has six cases 'Läckande kran i tvättstugan'"
        for number in hits:
            assert "Läckande kran i tvättstugan" in row_text(browser, number)
    assert value_of(browser, "q") == "Läckan", "the search box shows what was searched for"

    assert search(browser, "tvättstugan läckande") == search(browser, "läckande"), "all words must match"
    assert search(browser, "1007") == [1007]
    assert "Stopp i avlopp" in row_text(browser, 1007)

    assert search(browser, "qzxjvw") == []
    assert T["search_no_hits"] in main_text(browser)
    assert total_shown(browser) == 0


def test_shared_account_creates_a_case_as_a_new_person_who_is_offered_next_time(browser):
    login(browser, *SHARED_BOARD)
    first, last = "Greta", f"Ek{uuid.uuid4().hex[:6]}"
    full_name = f"{first} {last}"

    choose_case_type(browser, "Felanmälan")
    assert find(browser, "fieldset legend").text == T["person_who"]
    assert option_texts(browser, "person")[-1] == T["person_new"]
    select_by_value(browser, "person", "new")
    fill(browser, "person_first_name", first)
    fill(browser, "person_last_name", last)
    fill(browser, "person_email", "greta@solglantan.example")
    fill(browser, "person_phone", "070-111 22 33")
    subject = f"Trasig tvättmaskin {unique_word()}"
    fill_fault_report(browser, subject, "Maskin 3 startar inte.", apartment="1001")
    send_form(browser)
    assert confirmation_summary(browser)[T["person_who"]] == full_name
    number = confirm(browser)
    assert full_name in case_details(browser)[T["case_created"]]

    # Next time (a new login) the person is in the list, and can be picked to write a message.
    logout(browser)
    login(browser, *SHARED_BOARD)
    assert full_name in row_text(browser, number)
    open_case(browser, number)
    open_message_box(browser)
    assert full_name in option_texts(browser, "person")
    select_by_text(browser, "person", full_name)
    send_message(browser, "Den piper också när man trycker på start.")
    assert messages(browser)[0] == (full_name, "Den piper också när man trycker på start.")

    choose_case_type(browser, "Felanmälan")
    assert option_texts(browser, "person").count(full_name) == 1, "a saved person is offered once, not saved twice"


def test_shared_account_must_say_who_is_writing(browser):
    login(browser, *SHARED_BOARD)
    choose_case_type(browser, "Felanmälan")
    select_by_value(browser, "person", "new")
    fill_fault_report(browser, "Lampa trasig i förrådet", "Lampan i förråd 3 är trasig.")
    send_form(browser)
    assert find(browser, "#pfn-error").text == T["form_required"]
    assert find(browser, "#pln-error").text == T["form_required"]
    assert value_of(browser, "subject") == "Lampa trasig i förrådet"


def test_download_the_case_report_pdf(browser):
    """The PDF link on the case page gives the case report (E2) with the browser's session."""
    login(browser, *ANNA)
    subject = f"Läcka hos Čapek {unique_word()}"
    number = create_case(browser, subject, "Elementet i sovrummet läcker.")
    send_message(browser, "Łukasz Čapek öppnar åt er på måndag.")
    link = find(browser, "p.report-link a")
    assert T["case_report_pdf"] in link.text
    http = http_session(browser)
    response = http.get(link.get_attribute("href"), timeout=20)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="case-{number}.pdf"')
    assert response.content.startswith(b"%PDF-1.7") and response.content.rstrip().endswith(b"%%EOF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=response.content, capture_output=True,
                              check=True).stdout.decode("utf-8")
        text = " ".join(text.split())  # a long title wraps onto two lines
        assert subject in text and "Łukasz Čapek öppnar åt er på måndag." in text
        assert "Page 1 of 1" in text
    # Without the session there is no report.
    anonymous = requests.get(link.get_attribute("href"), timeout=10, allow_redirects=False)
    assert anonymous.status_code in (302, 303) and anonymous.headers["Location"].endswith("/login")
