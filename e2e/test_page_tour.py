"""Every page a person can reach, at a phone's width and a desktop's, in Swedish and English.

A small crawler signs in (a customer, a staff administrator) or not (the public pages) and follows
the links it finds (GET only, same site, never logout or a download), keeping one page of each
shape: /staff/customers/3 and /staff/customers/7 are the same page with other data. On every page
it keeps a screenshot at 360 px and 1440 px wide in the artifacts folder (to look at, before and
after a change: E2E_ARTIFACTS_DIR/pages/<who>-<language>/), and fails when
- the page is wider than the window (sideways scrolling on a phone, cut-off columns on a desktop),
- a table sticks out of the box it sits in at 1440 px (its last columns hidden behind a scrollbar),
- axe-core finds a serious or critical violation (in English, at both widths; the Swedish pages
  are the same templates, so they get the screenshots and the width checks only),
- the page is not in the browser's language.
"""

import os
import re
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import requests

from helpers import REPO_ROOT, http_session, login, open_page, path_of
from test_accessibility import AccessibilityAudit, describe
from test_back_office_admin import staff_login

WIDTHS = (360, 1440)
MAX_PAGES = 70

# Links the tour never follows: they sign out, download, or run something (even though every state
# change is a POST, these GETs are skipped so the tour stays a reader).
SKIP = re.compile(r"/logout|\.csv$|\.pdf$|\.zip$|/data\.csv|/export|/files/\d+$|/logo$|preview\.css|"
                  r"/reports/\d+$|/privacy/export|/api/|/language")


def shape_of(path):
    """/staff/customers/12?page=2 → /staff/customers/#: one representative page per shape."""
    return re.sub(r"/\d+", "/#", urlparse(path).path)


class Tour:
    def __init__(self, driver, who, language, server_url):
        self.driver = driver
        self.who = who
        self.language = language
        self.base = server_url
        self.audit = AccessibilityAudit(driver)
        self.problems = []
        self.seen = {}
        folder = Path(os.environ.get("E2E_ARTIFACTS_DIR", REPO_ROOT / "e2e" / "artifacts"))
        self.folder = folder / "pages" / f"{who}-{language}"
        self.folder.mkdir(parents=True, exist_ok=True)

    def is_html(self, session, address):
        try:
            answer = session.get(address, timeout=20, allow_redirects=True, stream=True)
            answer.close()
        except requests.RequestException:
            return False
        return answer.status_code < 400 and answer.headers.get("Content-Type", "").startswith("text/html")

    def links_here(self):
        hrefs = self.driver.execute_script(
            "return Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
        host = urlparse(self.base).netloc
        found = []
        for href in hrefs:
            href = urldefrag(href)[0]
            parsed = urlparse(href)
            if parsed.netloc != host or SKIP.search(parsed.path):
                continue
            found.append(href)
        return found

    def visit(self, start_paths, area_prefix):
        session = http_session(self.driver)
        session.headers["Accept-Language"] = self.language
        queue = [self.base + p for p in start_paths]
        while queue and len(self.seen) < MAX_PAGES:
            address = queue.pop(0)
            path = urlparse(address).path
            shape = shape_of(address)
            if shape in self.seen or not path.startswith(area_prefix):
                continue
            if not self.is_html(session, address):
                self.seen[shape] = None
                continue
            self.driver.get(address)
            self.seen[shape] = path_of(self.driver)
            landed = shape_of(path_of(self.driver))
            if landed != shape and landed in self.seen:
                continue  # a redirect to a page already looked at (/ → /cases)
            self.seen.setdefault(landed, path_of(self.driver))
            self.look_at(len(self.seen), landed)
            queue += [link for link in self.links_here() if shape_of(link) not in self.seen]

    def look_at(self, index, shape):
        name = f"{index:02d}{shape.replace('/', '_').replace('#', 'n') or '_root'}"
        where = f"{self.who}/{self.language} {shape} ({path_of(self.driver)})"
        lang = self.driver.execute_script("return document.documentElement.lang")
        if not self.language.startswith(lang or "?"):
            self.problems.append(f"{where}: the page is in '{lang}', the browser asked for {self.language}")
        for width in WIDTHS:
            self.driver.set_window_size(width, 900)
            overflow = self.driver.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 1:
                self.problems.append(f"{where} at {width} px: the page is {overflow} px wider than the window")
            if width == 1440:
                cut = self.driver.execute_script("""
                    return Array.from(document.querySelectorAll('main table')).filter(t => {
                      const box = t.parentElement;
                      return t.offsetParent !== null && box.scrollWidth > box.clientWidth + 2;
                    }).map(t => `${(t.querySelector('th') || t).textContent.trim().slice(0, 30)}: `
                               + `${t.parentElement.scrollWidth - t.parentElement.clientWidth} px hidden`);""")
                if cut:
                    self.problems.append(f"{where} at 1440 px: tables cut off at the right: {cut}")
            if self.language.startswith("en"):
                self.audit.check(f"{where} at {width} px")
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            self.driver.set_window_size(width, max(600, min(height, 5000)))
            self.driver.save_screenshot(str(self.folder / f"{name}-{width}.png"))
        self.driver.set_window_size(1280, 900)

    def assert_fine(self, at_least):
        shown = [s for s, p in self.seen.items() if p]
        assert len(shown) >= at_least, f"the tour reached only {len(shown)} pages: {sorted(shown)}"
        problems = list(self.problems)
        if self.audit.findings:
            problems.append(describe(self.audit.findings))
        (self.folder / "pages.txt").write_text(
            "\n".join(f"{s}\t{p}" for s, p in sorted(self.seen.items()) if p) + "\n", encoding="utf-8")
        assert not problems, "\n".join(problems)


def tour_portal(new_browser, server, language):
    driver = new_browser(language=language)
    login(driver, "solglantan", "anna")
    tour = Tour(driver, "customer", language, server.url)
    tour.visit(["/cases", "/cases?state=action", "/cases/new", "/cases/1001", "/files", "/users",
                "/inquiries", "/dashboards/cases", "/reports", "/specifications", "/privacy"], "/")
    tour.assert_fine(at_least=10)


def tour_staff(new_browser, server, language):
    driver = new_browser(language=language)
    staff_login(driver, "admin@example.com")
    tour = Tour(driver, "staff", language, server.url)
    tour.visit(["/staff", "/staff/cases", "/staff/cases/new", "/staff/inbox", "/staff/customers",
                "/staff/objects", "/staff/contacts", "/staff/portal-users", "/staff/staff-users",
                "/staff/audit", "/staff/settings", "/staff/outbox", "/staff/price-list",
                "/staff/dashboards/cases", "/staff/specifications", "/staff/import",
                "/staff/settings/privacy", "/staff/api-tokens"], "/staff")
    tour.assert_fine(at_least=25)


def tour_public(new_browser, server, language):
    driver = new_browser(language=language)
    tour = Tour(driver, "public", language, server.url)
    tour.visit(["/login", "/staff/login", "/password/forgot", "/register", "/privacy"], "/")
    tour.assert_fine(at_least=3)


def test_public_pages_in_english(new_browser, server):
    tour_public(new_browser, server, "en-GB")


def test_public_pages_in_swedish(new_browser, server):
    tour_public(new_browser, server, "sv-SE")


def test_every_portal_page_in_english(new_browser, server):
    tour_portal(new_browser, server, "en-GB")


def test_every_portal_page_in_swedish(new_browser, server):
    tour_portal(new_browser, server, "sv-SE")


def test_every_staff_page_in_english(new_browser, server):
    tour_staff(new_browser, server, "en-GB")


def test_every_staff_page_in_swedish(new_browser, server):
    tour_staff(new_browser, server, "sv-SE")
