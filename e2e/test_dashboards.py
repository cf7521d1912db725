"""B11 and B12 in Chromium, one journey: Anna opens each dashboard through its tab (axe-core on each,
no serious or critical violation), narrows one by an object, downloads its CSV, then the PDF of one of
her cases and last month's monthly report that `caseport demo` made (both real PDFs)."""

from test_accessibility import AccessibilityAudit

from helpers import click_and_wait_for_new_page, find, find_all, heading, http_session, login, main_text, open_page, path_of, url

ANNA = ("solglantan", "anna")


def test_anna_reads_the_dashboards_and_downloads_her_reports(browser):
    login(browser, *ANNA)
    audit = AccessibilityAudit(browser)

    click_and_wait_for_new_page(browser, find(browser, "nav.mainnav a[href='/dashboards/cases']"))
    tabs = [link.get_attribute("href") for link in find_all(browser, "main nav.subnav a")]
    assert len(tabs) == 4, tabs
    for address in tabs:
        open_page(browser, address.replace(browser.base_url, ""))
        assert find(browser, "main h1").text == find(browser, "main nav.subnav a[aria-current=page]").text
        charts = find_all(browser, "section.dashboard-chart")
        assert charts, f"no chart on {path_of(browser)}"
        for chart in charts:
            # Every chart has its numbers as a table, or says it is empty.
            assert find_all(chart, "svg[role=img] title") and find_all(chart, "table") or "empty" in chart.get_attribute("innerHTML")
        assert "Nordstjärnan" not in main_text(browser), "another customer's object on Anna's dashboard"
        audit.check(heading(browser))
    audit.assert_clean()

    # Narrow the cases dashboard to one object: every chart then counts that object only.
    open_page(browser, "/dashboards/cases")
    option = find(browser, "#filter-object option[value]:not([value=''])")
    chosen = option.text
    option.click()
    click_and_wait_for_new_page(browser, find(browser, "form.search button[type=submit]"))
    by_object = [cell.text for cell in find_all(browser, "section[aria-labelledby='cases-object-heading'] tbody th")]
    assert by_object == [chosen], by_object

    session = http_session(browser)
    csv = session.get(url(browser, find(browser, "a[download][href*='data.csv']").get_attribute("href").replace(browser.base_url, "")))
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert chosen in csv.content.decode("utf-8-sig")

    # The case PDF from the case page, and last month's report from "Reports".
    open_page(browser, "/cases")
    number = int(find(browser, "tr[data-case-number]").get_attribute("data-case-number"))
    case_pdf = session.get(url(browser, f"/cases/{number}/report.pdf"))
    assert case_pdf.status_code == 200 and case_pdf.content.startswith(b"%PDF-")

    click_and_wait_for_new_page(browser, find(browser, "nav.mainnav a[href='/reports']"))
    links = find_all(browser, "main table a[download]")
    assert links, main_text(browser)
    report = session.get(links[0].get_attribute("href"))
    assert report.status_code == 200, report.status_code
    assert report.headers["Content-Type"] == "application/pdf"
    assert report.content.startswith(b"%PDF-") and b"%%EOF" in report.content[-1024:]
    audit.check("reports")
    audit.assert_clean()
