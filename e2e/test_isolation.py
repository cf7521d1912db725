"""One customer can never reach another customer's cases, files or documents (SPEC A6/A7).

anna is the administrator of Brf Solgläntan (customer 1001); erik is a contact on one object,
Nordstjärnan 4, of Fastighets AB Norrsken (customer 1002). What anna can see is collected once, in a
browser of its own; every test then logs erik in to another browser and tries to get at it.
"""

import uuid
from dataclasses import dataclass

import pytest

from helpers import (T, all_case_numbers, all_case_rows, create_case, csrf_token, documents, file_links, find,
                     heading, http_session, login, main_text, messages, open_case, open_page, search, tiny_png,
                     upload_files, url)

ANNA = ("solglantan", "anna")
ERIK = ("norrsken", "erik")
ANNAS_DOCUMENT = "Ordningsregler Solgläntan.txt"
ERIKS_DOCUMENT = "Energideklaration Nordstjärnan 4.txt"


@dataclass
class AnnasData:
    case_numbers: set   # every case anna sees
    private_case: int   # a case made for these tests, with a file attached
    private_word: str   # a word that is only in that case
    file_path: str      # the download path of that file
    document_path: str  # /files/<id> of Brf Solgläntan's own document


@pytest.fixture(scope="module")
def annas(module_browsers, tmp_path_factory):
    driver = module_browsers()
    login(driver, *ANNA)
    word = "e2eonlyanna" + uuid.uuid4().hex[:8]
    number = create_case(driver, f"Styrelsefråga {word}", f"Bara för Solgläntan: {word}.")
    attachment = tmp_path_factory.mktemp("anna") / "styrelseprotokoll.png"
    attachment.write_bytes(tiny_png())
    upload_files(driver, attachment)
    file_path = file_links(driver)[attachment.name]
    document_path = documents(driver)[ANNAS_DOCUMENT]
    numbers = set(all_case_numbers(driver))
    assert number in numbers and len(numbers) >= 34
    return AnnasData(numbers, number, word, file_path, document_path)


@pytest.fixture
def erik(browser):
    login(browser, *ERIK)
    return browser


def test_eriks_list_shows_his_object_and_none_of_annas_cases(erik, annas):
    rows = all_case_rows(erik)
    eriks_numbers = {number for number, _ in rows}
    assert eriks_numbers, "erik sees the cases of Nordstjärnan 4"
    assert not eriks_numbers & annas.case_numbers, f"erik sees anna's cases {sorted(eriks_numbers & annas.case_numbers)}"
    for number, text in rows:
        assert "Nordstjärnan 4" in text or "Fråga om nyckelbricka" in text, f"case {number} is not erik's: {text}"
    # The filter choices offer only what erik may see, so no other customer's names leak through them.
    open_page(erik, "/cases")
    filters = find(erik, "form.search").get_attribute("innerHTML")
    assert "Solgläntan" not in filters and "Karlavagnen" not in filters


def test_eriks_search_never_finds_annas_cases(erik, annas):
    assert search(erik, annas.private_word) == []
    assert T["search_no_hits"] in main_text(erik)
    assert search(erik, "läckande") == [], "every 'Läckande kran' demo case belongs to Brf Solgläntan"
    assert search(erik, str(annas.private_case)) == []
    assert search(erik, "1001") == [], "case 1001 is anna's, so its number finds nothing for erik"
    # A word in every demo case finds erik's cases and still nothing of anna's.
    hits = search(erik, "tack")
    assert hits and not set(hits) & annas.case_numbers


def test_annas_case_and_its_file_answer_404_to_erik(erik, annas):
    http = http_session(erik)
    for path in (f"/cases/{annas.private_case}", f"/cases/{min(annas.case_numbers)}",
                 annas.file_path, annas.file_path + "?inline=1", f"/cases/{annas.private_case}/report.pdf"):
        response = http.get(url(erik, path), timeout=10, allow_redirects=False)
        assert response.status_code == 404, f"GET {path} answered {response.status_code} to erik"
        assert annas.private_word not in response.text
    # In the browser it is the calm 'not found' page, just as for a case that does not exist at all.
    open_case(erik, annas.private_case)
    assert heading(erik) == T["error_title"]
    assert T["error_not_found"] in main_text(erik)
    assert annas.private_word not in erik.page_source
    open_case(erik, 999999)
    assert T["error_not_found"] in main_text(erik)


def test_erik_cannot_change_annas_case(erik, annas, new_browser):
    open_page(erik, "/cases")
    http = http_session(erik)
    token = csrf_token(erik)  # a valid token of erik's own session: only the access rule may stop him
    number = annas.private_case
    file_id = annas.file_path.rsplit("/", 1)[1]
    attempts = {
        f"/cases/{number}/messages": dict(data={"csrf_token": token, "body": "Inbrott från Norrsken"}),
        f"/cases/{number}/files/{file_id}/remove": dict(data={"csrf_token": token}),
        f"/cases/{number}/classification": dict(data={"csrf_token": token, "category": "1"}),
        # The token is the multipart body's first field (requests writes data before files).
        f"/cases/{number}/files": dict(data={"csrf_token": token}, files={"files": ("intrang.txt", b"x")}),
    }
    for path, body in attempts.items():
        response = http.post(url(erik, path), timeout=10, allow_redirects=False, **body)
        assert response.status_code == 404, f"POST {path} answered {response.status_code} to erik"

    anna = new_browser()
    login(anna, *ANNA)
    open_case(anna, number)
    assert list(file_links(anna)) == ["styrelseprotokoll.png"], "the file is still there and nothing was added"
    assert all("Inbrott" not in body for _, body in messages(anna))


def test_other_customers_document_answers_404_to_erik(erik, annas):
    eriks_documents = documents(erik)
    assert set(eriks_documents) == {ERIKS_DOCUMENT}, "erik sees the documents of his own object only"
    http = http_session(erik)
    response = http.get(url(erik, annas.document_path), timeout=10, allow_redirects=False)
    assert response.status_code == 404
    assert "Tvättstugan" not in response.text
    own = http.get(url(erik, eriks_documents[ERIKS_DOCUMENT]), timeout=10)
    assert own.status_code == 200 and own.headers["Content-Disposition"].startswith("attachment;")
    # A case file is no document: its id under /files is refused as well.
    file_id = annas.file_path.rsplit("/", 1)[1]
    assert http.get(url(erik, f"/files/{file_id}"), timeout=10, allow_redirects=False).status_code == 404


def test_anna_cannot_reach_eriks_cases(erik, annas, new_browser):
    eriks_numbers = set(all_case_numbers(erik))
    anna = new_browser()
    login(anna, *ANNA)
    http = http_session(anna)
    for number in sorted(eriks_numbers)[:3] + [max(eriks_numbers)]:
        assert number not in annas.case_numbers
        response = http.get(url(anna, f"/cases/{number}"), timeout=10, allow_redirects=False)
        assert response.status_code == 404, f"anna got {response.status_code} for erik's case {number}"
    assert search(anna, "nyckelbricka") == [], "erik's personal case 'Fråga om nyckelbricka' is his alone"
