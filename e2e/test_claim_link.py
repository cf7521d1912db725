"""Issue 13 (A10, C1-C9): the personal link to a claim's customer page, end to end with real parts — a
server of its own that sends mail to a real SMTP server on loopback (scripts/test-smtp-server.py) and
SMS to a small fake SMS gateway (below: it keeps each JSON POST it gets), with the test-only
controllable clock (CASEPORT_TEST_CLOCK_FILE).

An administrator turns the SMS security code on and has the link sent to the policyholder when the first
inspection is assigned -> staff register the claim, make Anna its policyholder and plan an inspection
with a responsible person -> the link round sends the link by e-mail and by SMS -> the customer opens it
(GET shows a button and sends nothing), presses the button, gets the code by SMS, types it and lands on
/claim with the token gone from the address bar -> she sees the inspection in the plan, writes with a
photo that the handler sees, and finds the inspection report staff add (shared at once on a claim) ->
the case closes and, 31 days later by the clock, the link and the session answer with the expiry page.
axe-core checks the pages; each is photographed at 360 and 1440 px (E2E_SHOTS_DIR)."""

import json
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from conftest import load_demo, serving, server_binary, smtp_server, start_browser
from helpers import click_and_wait_for_new_page, fill, find, find_all, open_page, path_of, select_by_value, wait_for_mail
from selenium.webdriver.support.ui import Select
from test_accessibility import AccessibilityAudit
from test_back_office import staff_login
from test_claim_back_office import open_box, submit

ANNA_EMAIL = "anna@solglantan.example"
SHOTS = Path(os.environ.get("E2E_SHOTS_DIR", tempfile.gettempdir())) / "caseport-claim-link-shots"


class FakeSMSGateway:
    """An HTTP server on loopback that takes the outbox's SMS posts ({"to": …, "text": …})."""

    def __init__(self):
        self.messages = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                gateway.messages.append(json.loads(self.rfile.read(length) or b"{}"))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"id": "ok"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, to, pattern, seconds=30, after=0):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for message in self.messages[after:]:
                match = re.search(pattern, message.get("text", ""))
                if message.get("to") == to and match:
                    return match
            time.sleep(0.2)
        pytest.fail(f"no SMS to {to} matching {pattern!r} within {seconds}s; got {self.messages}")

    def stop(self):
        self.server.shutdown()


@pytest.fixture(scope="module")
def claim_world():
    binary = server_binary()
    data_dir = Path(tempfile.mkdtemp(prefix="caseport-e2e-claim-"))
    mail_dir = data_dir / "mail"
    mail_dir.mkdir()
    clock = data_dir / "clock"
    clock.write_text("0")
    sms = FakeSMSGateway()
    try:
        with smtp_server(mail_dir) as smtp_port:
            env = dict(os.environ, CASEPORT_DATA_DIR=str(data_dir), CASEPORT_BCRYPT_COST="4", LOG_LEVEL="warning",
                       SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port), MAIL_FROM="portal@caseport.test",
                       SMS_GATEWAY_URL=sms.url, SMS_GATEWAY_TOKEN="e2e", CASEPORT_TEST_CLOCK_FILE=str(clock))
            env.pop("DATABASE_URL", None)
            load_demo(binary, env)
            case_id, number = make_claim_world(data_dir)
            with serving(binary, env, data_dir) as server:
                yield server, mail_dir, sms, clock, case_id, number
    finally:
        sms.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def make_claim_world(data_dir):
    """One of Solgläntan's open demo cases becomes the claim (staff register it in the test), and the
    portal sends SMS. Returns the case's id and number."""
    database = sqlite3.connect(data_dir / "caseport.sqlite")
    case_id, number = database.execute(
        "SELECT c.id, c.number FROM cases c JOIN customers u ON u.id = c.customer_id "
        "WHERE u.customer_number = '1001' AND c.status NOT IN ('closed', 'resolved') ORDER BY c.number LIMIT 1").fetchone()
    row = database.execute("SELECT value FROM settings WHERE id = 'portal'").fetchone()
    portal = json.loads(row[0]) if row else {}
    portal["smsEnabled"] = True
    portal["contactPhone"] = "+46 31 700 00 00"
    if row:
        database.execute("UPDATE settings SET value = ? WHERE id = 'portal'", (json.dumps(portal),))
    else:
        database.execute("INSERT INTO settings (id, value) VALUES ('portal', ?)", (json.dumps(portal),))
    database.commit()
    database.close()
    return case_id, number


def shoot(driver, name):
    """The page at 360 and 1440 px wide, for a person to look at (and no sideways scrolling at 360)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (360, 1440):
        driver.set_window_size(width, 900)
        time.sleep(0.2)
        driver.save_screenshot(str(SHOTS / f"{name}-{width}.png"))
        if width == 360:
            overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{name} scrolls sideways at 360 px ({overflow} px)"
    driver.set_window_size(1280, 900)


def session_check(driver):
    return driver.execute_async_script(
        "const done = arguments[0]; fetch('/claim/session-check', {credentials: 'same-origin'}).then(r => done(r.status))")


def test_a_claim_link_goes_out_opens_with_the_code_and_ends_after_the_access_days(claim_world):
    server, mail_dir, sms, clock, case_id, number = claim_world
    staff = start_browser(server.url)
    customer = start_browser(server.url)
    try:
        audit = AccessibilityAudit(staff)
        # The administrator turns the security code on for every claim and has the link sent to the
        # policyholder when the first inspection is assigned (the deployment's level).
        staff_login(staff, "admin@example.com")
        open_page(staff, "/staff/settings/customer-page")
        staff.find_element(By.CSS_SELECTOR, "select#smsCode option[value='true']").click()
        staff.find_element(By.CSS_SELECTOR, "select#linkSent option[value='first_inspection']").click()
        staff.find_element(By.CSS_SELECTOR, "select#recipients option[value='customer']").click()
        shoot(staff, "settings-deployment")
        audit.check("customer-page settings")
        click_and_wait_for_new_page(staff, find(staff, "main form.form button[type=submit]"))
        assert "notice=saved" in staff.current_url
        code_row = find(staff, "#setting-smsCode").text
        assert "portal" in code_row.lower(), code_row

        # Staff register the claim, make Anna its policyholder and plan the inspection with a responsible
        # person: the first inspection is assigned, and the link goes out by itself.
        open_page(staff, f"/staff/cases/{number}")
        box = open_box(staff, "claim-register")
        fill(staff, "claim-damage", "Water damage")
        submit(staff, box)
        assert "Water damage" in find(staff, "#claim").text
        if not [li for li in find_all(staff, "#claim .claim-roles li") if "Anna" in li.text]:
            select = find(staff, "#contact")
            option = [o for o in select.find_elements(By.TAG_NAME, "option") if ANNA_EMAIL in o.text][0]
            option.click()
            click_and_wait_for_new_page(staff, find(staff, "#contacts form.inline-form button[type=submit]"))
        anna_role = [li for li in find_all(staff, "#claim .claim-roles li") if "Anna" in li.text][0]
        anna_role.find_element(By.CSS_SELECTOR, "select option[value='policyholder']").click()
        click_and_wait_for_new_page(staff, anna_role.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        box = open_box(staff, "claim-new-task")
        select_by_value(staff, "task-new-kind", "inspection")
        fill(staff, "task-new-title", "Inspection of the kitchen floor")
        fill(staff, "task-new-responsible", "Rie Nielsen")
        fill(staff, "task-new-starts", time.strftime("%d/%m/%Y 09:00", time.localtime(time.time() + 7 * 86_400)))
        submit(staff, box)
        assert "Inspection of the kitchen floor" in find(staff, "#claim").text
        audit.check("staff case page of a claim")

        # The link by e-mail and by SMS (the same token), from the link round (every minute).
        link = wait_for_mail(mail_dir, ANNA_EMAIL, lambda text: re.search(r"(https?://\S+/c/[A-Za-z0-9_-]{43})", text),
                             seconds=100)[1].group(1)
        token = link.rsplit("/", 1)[1]
        sms.wait_for("070-123 45 67", re.escape(token))
        texts_before = len(sms.messages)
        open_page(staff, f"/staff/cases/{number}")
        assert "1" in find(staff, "#customer-access h2 .badge").text
        shoot(staff, "case-customer-access")

        # GET shows the company's page with a button and sends nothing.
        customer.get(server.url + f"/c/{token}")
        assert find(customer, "#open-claim").is_displayed()
        shoot(customer, "link-page")
        customer_audit = AccessibilityAudit(customer)
        customer_audit.check("personal link page")
        time.sleep(2)
        assert len(sms.messages) == texts_before, "opening the link with GET sent a text"

        # The button: the code goes out by SMS; the code form takes it; the customer lands on /claim.
        click_and_wait_for_new_page(customer, find(customer, "#open-claim"))
        assert path_of(customer) == "/c/code", path_of(customer)
        code = sms.wait_for("070-123 45 67", r"\b(\d{6})\b", after=texts_before).group(1)
        shoot(customer, "code-page")
        customer_audit.check("security code page")
        find(customer, "#code").send_keys(code)
        click_and_wait_for_new_page(customer, find(customer, "#submit-code"))
        assert path_of(customer) == "/claim", path_of(customer)
        assert token not in customer.current_url
        assert session_check(customer) == 204

        # The inspection staff planned shows in the plan and the project plan.
        open_page(customer, "/claim")
        assert "Inspection of the kitchen floor" in find(customer, "main").text
        shoot(customer, "claim-overview")
        customer_audit.check("claim overview")
        open_page(customer, "/claim/plan")
        find(customer, "main details summary").click()  # a task opens its details
        assert "Rie Nielsen" in find(customer, "main").text

        # The customer writes with a photo; the handler sees it on the case.
        open_page(customer, "/claim/messages")
        photo = server.data_dir / "kitchen-floor.png"
        photo.write_bytes(bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"))
        find(customer, "#body").send_keys("The floor is still wet near the sink.")
        find(customer, "#files").send_keys(str(photo))
        click_and_wait_for_new_page(customer, find(customer, "#write button[type=submit]"))
        assert "The floor is still wet near the sink." in find(customer, "main").text
        assert "kitchen-floor.png" in customer.page_source
        customer_audit.check("claim messages")
        open_page(staff, f"/staff/cases/{number}")
        assert "The floor is still wet near the sink." in find(staff, "main").text

        # Staff add the inspection report to the library: on a claim it is shared at once (the default
        # shares inspection reports from the claim's creation), and the customer finds it.
        report = server.data_dir / "inspection-report.pdf"
        report.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
        if not find(staff, "#documents details.change-box").get_attribute("open"):
            find(staff, "#documents details.change-box summary").click()
        find(staff, "#doc-file").send_keys(str(report))
        Select(find(staff, "#doc-category")).select_by_value("inspection_report")
        fill(staff, "doc-title", "Inspection report, kitchen")
        click_and_wait_for_new_page(staff, find(staff, "#documents form[enctype] button[type=submit]"))
        row = [r for r in find_all(staff, "#documents tbody tr") if "Inspection report, kitchen" in r.text][0]
        assert row.find_elements(By.CSS_SELECTOR, ".doc-shared"), row.text
        open_page(customer, "/claim/documents")
        assert "Inspection report, kitchen" in find(customer, "main").text
        shoot(customer, "claim-documents")
        customer_audit.check("claim documents")

        # The case closes; 31 days later (the controllable clock) the access has ended.
        database = sqlite3.connect(server.data_dir / "caseport.sqlite")
        database.execute("UPDATE cases SET status = 'closed', closed_at = ? WHERE id = ?", (time.time(), case_id))
        database.commit()
        database.close()
        assert session_check(customer) == 204, "still open within the 30 days"
        clock.write_text(str(31 * 86_400))
        assert session_check(customer) == 410
        customer.get(server.url + f"/c/{token}")
        click_and_wait_for_new_page(customer, find(customer, "#open-claim"))
        page = find(customer, "main").text
        assert "30" in page and "+46 31 700 00 00" in page, page
        shoot(customer, "expired-page")
        customer_audit.check("expiry page")
        audit.assert_clean()
        customer_audit.assert_clean()
        assert not server.errors_since(0), server.errors_since(0)
    finally:
        staff.quit()
        customer.quit()
