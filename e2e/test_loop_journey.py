"""The loop between customer and company (issue 11), end to end with real parts: a server of its own
that sends mail to a real SMTP server on loopback (scripts/test-smtp-server.py) and takes replies
through `caseport mailgate`, driven by two Chromium sessions.

Anna writes on her case and uploads a photo -> the handler sees both in the unread box, opens the photo
and replies -> Anna gets the reply by e-mail, with a signed Reply-To -> her answer by mail goes through
the mail gate and lands on the case -> the handler resolves the case -> Anna approves it.
axe-core checks the pages on the way."""

import os
import shutil
import subprocess
import tempfile
import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from conftest import load_demo, serving, server_binary, smtp_server, start_browser
from helpers import (REPO_ROOT, T, click_and_wait_for_new_page, file_links, find, find_all, http_session, login,
                     main_text, open_case, open_page, send_message, tiny_png, upload_files, wait_for_mail)
from test_accessibility import AccessibilityAudit
from test_back_office import staff_login

ANNA_EMAIL = "anna@solglantan.example"
SECRET = "e2e-loop-secret-" + "x" * 32


@pytest.fixture(scope="module")
def mail_world():
    """A demo server with SMTP and reply addresses configured; yields (server, mail folder, env)."""
    binary = server_binary()
    data_dir = Path(tempfile.mkdtemp(prefix="caseport-e2e-loop-"))
    mail_dir = data_dir / "mail"
    mail_dir.mkdir()
    try:
        with smtp_server(mail_dir) as smtp_port:
            env = dict(os.environ, CASEPORT_DATA_DIR=str(data_dir), CASEPORT_BCRYPT_COST="4", LOG_LEVEL="warning",
                       SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port), MAIL_FROM="portal@caseport.test",
                       MAIL_REPLY_ADDRESS="reply@caseport.test", CASEPORT_SECRET=SECRET)
            env.pop("DATABASE_URL", None)
            load_demo(binary, env)
            with serving(binary, env, data_dir) as server:
                yield server, mail_dir, env, binary
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def mail_containing(mail_dir, recipient, text, seconds=30):
    """The first message to `recipient` whose text contains `text` (the outbox worker sends it)."""
    return wait_for_mail(mail_dir, recipient, lambda body: text in body, seconds)[0]


def test_customer_and_company_close_the_loop(mail_world, tmp_path):
    server, mail_dir, env, binary = mail_world
    anna = start_browser(server.url)
    staff = start_browser(server.url)
    try:
        login(anna, "solglantan", "anna")
        # One of Anna's open cases.
        open_page(anna, "/cases?status=open")
        number = int(find(anna, "main table tbody tr a[href^='/cases/']").get_attribute("href").rsplit("/", 1)[1])
        open_case(anna, number)
        note = f"Kranen droppar fortfarande {uuid.uuid4().hex[:6]}"
        send_message(anna, note)
        photo = tmp_path / "kran.png"
        photo.write_bytes(tiny_png())
        upload_files(anna, photo)
        assert "kran.png" in file_links(anna)

        # The handler: the unread box names the message and the photo; the photo opens; a reply.
        staff_login(staff, "handler@example.com")
        audit = AccessibilityAudit(staff)
        open_page(staff, f"/staff/cases/{number}")
        box = find(staff, "[data-unread]")
        assert note[:40] in box.text and "kran.png" in box.text, box.text
        audit.check("staff case page with unread customer activity")
        photo_link = box.find_element(By.PARTIAL_LINK_TEXT, "kran.png").get_attribute("href")
        download = http_session(staff).get(photo_link, timeout=15)
        assert download.status_code == 200 and download.content == tiny_png()
        reply = f"Vi skickar en rörmokare på torsdag {uuid.uuid4().hex[:6]}"
        form = find(staff, f"form[action^='/staff/cases/{number}/messages']")
        form.find_element(By.ID, "body").send_keys(reply)
        click_and_wait_for_new_page(staff, form.find_element(By.CSS_SELECTOR, "button.button-primary"))
        assert reply in main_text(staff)

        # Anna gets it by e-mail, with a Reply-To that leads back to the case.
        mail = mail_containing(mail_dir, ANNA_EMAIL, reply)
        reply_to = str(mail["Reply-To"])
        assert reply_to.startswith("reply+") and reply_to.endswith("@caseport.test"), reply_to

        # She answers the mail; the mail system hands it to `caseport mailgate`.
        answer = EmailMessage()
        answer["From"] = f"Anna Lindqvist <{ANNA_EMAIL}>"
        answer["To"] = reply_to
        answer["Subject"] = "Re: " + str(mail["Subject"])
        answer["Message-ID"] = f"<{uuid.uuid4().hex}@solglantan.example>"
        answered = f"Torsdag passar bra {uuid.uuid4().hex[:6]}"
        answer.set_content(f"{answered}\n\n> {reply}\n")
        gate = subprocess.run([str(binary), "mailgate", "--recipient", reply_to], cwd=REPO_ROOT, env=env,
                              input=answer.as_bytes(), capture_output=True, timeout=60)
        assert gate.returncode == 0, gate.stderr.decode(errors="replace")
        open_case(anna, number)
        assert answered in main_text(anna)
        open_page(staff, f"/staff/cases/{number}")
        assert answered in main_text(staff)

        # The handler resolves; Anna approves.
        resolve = find(staff, f"form[action='/staff/cases/{number}/status'] button[value='resolved']")
        click_and_wait_for_new_page(staff, resolve)
        open_case(anna, number)
        approve = find(anna, f"form[action='/cases/{number}/approve'] button[type=submit]")
        AccessibilityAudit(anna).check("portal case awaiting approval")
        click_and_wait_for_new_page(anna, approve)
        assert not find_all(anna, f"form[action='/cases/{number}/approve']"), "approved: no approve button left"
        assert T["status_closed"] in find(anna, ".case-head").text
    finally:
        anna.quit()
        staff.quit()


def test_a_visitors_unanswered_chat_is_answered_by_email_and_the_reply_lands_on_the_case(mail_world):
    """Issue 15 point 3: nobody is available, so a visitor without a login leaves the chat's message
    (an inquiry); the handler makes a case of it and the notice goes out by e-mail with the case's
    Reply-To; the visitor's answer by mail goes through the mail gate and lands on that case."""
    from helpers import fill, path_of, primary_button
    from test_back_office import inbox_row
    from test_chat import set_available
    server, mail_dir, env, binary = mail_world
    visitor = start_browser(server.url)
    staff = start_browser(server.url)
    try:
        staff_login(staff, "handler@example.com")
        set_available(staff, False)
        word = uuid.uuid4().hex[:8]
        address = f"vera.{word}@example.org"
        open_page(visitor, "/chat")
        fill(visitor, "leave-name", f"Vera {word}")
        fill(visitor, "leave-email", address)
        fill(visitor, "leave-message", "Hur lägger jag till en användare?")
        click_and_wait_for_new_page(visitor, primary_button(visitor, "main form"))

        open_page(staff, "/staff/inbox")
        subject = T["chat_inquiry_subject"].replace("{name}", f"Vera {word}")
        click_and_wait_for_new_page(staff, inbox_row(staff, subject).find_element(By.CSS_SELECTOR, "a"))
        notify = find(staff, "input[name=notify_customer]")
        if not notify.is_selected():
            notify.click()
        click_and_wait_for_new_page(staff, primary_button(staff, "main form"))
        number = int(path_of(staff).split("?")[0].rstrip("/").rsplit("/", 1)[1])

        mail = mail_containing(mail_dir, address, str(number))
        reply_to = str(mail["Reply-To"])
        assert reply_to.startswith("reply+") and reply_to.endswith("@caseport.test"), reply_to
        answer = EmailMessage()
        answer["From"] = f"Vera {word} <{address}>"
        answer["To"] = reply_to
        answer["Subject"] = "Re: " + str(mail["Subject"])
        answer["Message-ID"] = f"<{uuid.uuid4().hex}@example.org>"
        answered = f"Det gäller vår styrelse {uuid.uuid4().hex[:6]}"
        answer.set_content(f"{answered}\n")
        gate = subprocess.run([str(binary), "mailgate", "--recipient", reply_to], cwd=REPO_ROOT, env=env,
                              input=answer.as_bytes(), capture_output=True, timeout=60)
        assert gate.returncode == 0, gate.stderr.decode(errors="replace")
        open_page(staff, f"/staff/cases/{number}")
        assert answered in main_text(staff), "the visitor's mailed answer is on the case"
    finally:
        visitor.quit()
        staff.quit()
