@testable import CaseportWeb
import CaseportCore
import Foundation
import Vapor
import XCTest

/// Issue 17 (session 17): the customer's case page is written by `CasePage.bodyHTML` inside
/// `Layout.pageHTML` instead of `portal/case.leaf`. The template below is the file as it was; Leaf renders
/// it (with the real layout and the real error summary, notice, status badge, CSRF, person picker, chats and
/// pagination partials) for many cases — waiting for an answer or an approval, open and closed, shared
/// accounts, every form's errors, messages on one page or several, chats, the handler or the company as the
/// contact, each fact set or not, files — and the Swift page must be the same bytes.
final class PortalCasePageHTMLTests: XCTestCase {
    static let template = ##"""
#extend("shared/layout"):
#export("body"):
<p><a href="#(backLink)" class="back-link">← #(layout.t.back_to_cases)</a></p>
<p class="report-link"><a href="#route("portal.caseReport", number)" download><span class="pdf-icon" aria-hidden="true">PDF</span> #(layout.t.case_report_pdf)</a> · <a href="#route("portal.caseActions", number)" id="actions-link">#(layout.t.actions_link)</a></p>
#extend("shared/error-summary")
#extend("shared/notice")
#if(answerNeeded):
<section class="banner banner-action" aria-labelledby="answer-heading" id="answer-needed">
  <h2 id="answer-heading">#(layout.t.answer_needed_heading)</h2>
  #if(answerQuote):<figure class="quote"><blockquote class="prose">#(answerQuote.preview)</blockquote><figcaption class="muted">#(answerQuote.author) · #(answerQuote.createdAt)</figcaption></figure>#else:<p>#(layout.t.answer_needed_intro)</p>#endif
  #if(!closed):<p><a class="button button-primary" href="#(answerLink)">#(layout.t.answer_needed_button)</a></p>#endif
</section>
#endif
<header class="case-head case-title">
  <h1><span class="muted">#(layout.t.case_number_short) #(number)</span> #(subject)</h1>
  #extend("shared/status-badge")
</header>
<div class="case-layout">
<div class="case-main">
  #if(awaitingApproval):
  <section class="card section-gap" aria-labelledby="approval-heading" id="approval">
    <h2 id="approval-heading">#(layout.t.approval_heading)</h2>
    <p class="hint">#(layout.t.approval_intro)</p>
    <form method="post" action="#route("portal.caseApprove", number)" class="actions">
      #extend("shared/csrf")
      <button type="submit" class="button button-primary">#(approveLabel)</button>
    </form>
    <form method="post" action="#route("portal.caseReject", number)#approval" class="form">
      #extend("shared/csrf")
      <div class="field">
        <label for="approval-comment">#(layout.t.approval_comment)</label>
        <textarea id="approval-comment" name="comment" rows="3" maxlength="20000"#invalid(errors.approval, "approval-error")>#(approvalComment)</textarea>
        #fieldError(errors.approval, "approval-error")
      </div>
      #if(person.shown):<div class="field">
        <label for="reject-person">#(layout.t.person_pick)</label>
        <select id="reject-person" name="person"#invalid(errors.approval_person, "reject-person-error")><option value="">#(layout.t.person_choose)</option>#for(p in person.people):<option value="#(p.id)"#if(p.selected): selected#endif>#(p.name)</option>#endfor</select>
        #fieldError(errors.approval_person, "reject-person-error")
      </div>#endif
      <div class="actions"><button type="submit" class="button">#(layout.t.approval_reject)</button></div>
    </form>
  </section>
  #endif
<section class="card conversation" id="messages" aria-labelledby="messages-heading">
  <h2 id="messages-heading">#(layout.t.messages_title)</h2>
  <details class="write-message" id="write"#if(writeOpen): open#endif>
    <summary class="button button-primary"><span aria-hidden="true">+</span> #(layout.t.message_write)</summary>
    <form method="post" action="#route("portal.caseMessage", number)#write" enctype="multipart/form-data" class="form">
      #extend("shared/csrf")
      #extend("shared/person-picker")
      <div class="field">
        <label for="body">#(layout.t.message_new)</label>
        <textarea id="body" name="body" rows="4" maxlength="10000"#invalid(errors.body, "body-error")>#(messageBody)</textarea>
        #fieldError(errors.body, "body-error")
      </div>
      <div class="field">
        <label for="message-files">#(layout.t.casepage_message_files)</label>
        <input id="message-files" name="files" type="file" multiple#invalid(errors.message_files, "message-files-error")>
        <p class="hint">#(layout.t.upload_hint) #(maxUploadMegabytes) MB.</p>
        #fieldError(errors.message_files, "message-files-error")
      </div>
      <label class="check"><input type="checkbox" name="copy_to_me" value="1"#if(copyToMe): checked#endif> #(layout.t.message_copy_to_me)</label>
      <div class="actions"><button type="submit" class="button button-primary">#(layout.t.message_send)</button> <a class="button" href="#(caseLink)" id="write-cancel">#(layout.t.message_cancel)</a></div>
    </form>
  </details>
  #if(messageCount == 0 && !showDescription):<p class="muted">#(layout.t.messages_empty)</p>#endif
  <ol class="messages">
  #unsafeHTML(messagesHTML)
  </ol>
  #if(showDescription):
  <div class="message message-origin" id="case-description">
    <div class="message-meta"><strong>#(createdBy)</strong> <span class="tag#if(fromPortal): tag-portal#endif">#(layout.t.case_description)</span> <span class="muted">#(createdAt)</span></div>
    <div class="prose">#(description)</div>
  </div>
  #endif
  #if(paging.pageCount > 1):#extend("shared/pagination")#endif
</section>
#extend("shared/case-chats")
</div>
<aside class="case-side" aria-label="#(layout.t.casepage_details)">
  <section class="card contact-card" aria-labelledby="contact-heading">
    <h2 id="contact-heading">#(layout.t.casepage_contact)</h2>
    #if(contact):<p class="contact-name"><strong>#(contact.name)</strong></p>
    #if(contact.phone):<p><a href="tel:#(contact.phone)">#(contact.phone)</a></p>#endif
    #if(contact.email):<p><a href="mailto:#(contact.email)">#(contact.email)</a></p>#endif
    #if(layout.contactPhone):<p class="contact-company">#(layout.t.casepage_contact_company_phone) <a href="#(layout.contactPhoneLink)">#(layout.contactPhone)</a></p>#endif
    #elseif(layout.hasContact):<p class="contact-company">#(layout.t.casepage_contact_company)</p>
    #if(layout.contactPhone):<p><a href="#(layout.contactPhoneLink)">#(layout.contactPhone)</a></p>#endif
    #if(layout.contactEmail):<p><a href="mailto:#(layout.contactEmail)">#(layout.contactEmail)</a></p>#endif
    #else:<p class="muted">#(layout.t.casepage_contact_none)</p>#endif
  </section>
  <details class="card case-facts" id="details" data-wide-open#if(classifyOpen): open#endif>
    <summary class="facts-summary">#(layout.t.casepage_details)</summary>
    <dl class="details facts-list">
      <div><dt>#(layout.t.case_created)</dt><dd>#(createdAt) · #(createdBy) <span class="tag#if(fromPortal): tag-portal#endif">#if(fromPortal):#(layout.t.origin_portal)#else:#(layout.t.origin_company)#endif</span></dd></div>
      <div><dt>#(layout.t.case_updated)</dt><dd>#(updatedAt)</dd></div>
      #if(caseTypeName):<div><dt>#(layout.t.case_type)</dt><dd>#(caseTypeName)#if(billable): <span class="tag tag-billable">#(layout.t.case_type_billable)</span>#endif</dd></div>#endif
      #if(customerName):<div><dt>#(layout.t.case_customer)</dt><dd>#(customerName)</dd></div>#endif
      #if(objectName):<div><dt>#(layout.t.case_object)</dt><dd>#(objectName)#if(objectAddress):<br><span class="muted">#(objectAddress)</span>#endif</dd></div>#endif
      #if(workSiteAddress):<div><dt>#(layout.t.new_case_work_site_address)</dt><dd>#(workSiteAddress)</dd></div>#endif
      #if(referenceName):<div><dt>#(layout.t.new_case_reference_name)</dt><dd>#(referenceName)</dd></div>#endif
      #if(categoryName):<div><dt>#(layout.t.case_category)</dt><dd>#(categoryName)</dd></div>#endif
      #if(priorityName):<div><dt>#(layout.t.case_priority)</dt><dd>#(priorityName)</dd></div>#endif
      #for(field in fields):<div><dt>#(field.label)</dt><dd>#(field.value)</dd></div>#endfor
    </dl>
    #if(canEditCategory || canEditPriority):
    <details class="change-box" id="classify"#if(classifyOpen): open#endif>
      <summary class="button button-small">#(layout.t.casepage_change)</summary>
      <form method="post" action="#route("portal.caseClassify", number)#classify" class="form">
        #extend("shared/csrf")
        <input type="hidden" name="version" value="#(version)">
        #if(canEditCategory):<div class="field">
          <label for="edit-category">#(layout.t.case_category)</label>
          <select id="edit-category" name="category"#invalid(errors.classify_category, "classify-category-error")>#if(categoryBlankable):<option value="">–</option>#endif#options(categories)</select>
          #fieldError(errors.classify_category, "classify-category-error")
        </div>#endif
        #if(canEditPriority):<div class="field">
          <label for="edit-priority">#(layout.t.case_priority)</label>
          <select id="edit-priority" name="priority"#invalid(errors.classify_priority, "classify-priority-error")>#if(priorityBlankable):<option value="">–</option>#endif#options(priorities)</select>
          #fieldError(errors.classify_priority, "classify-priority-error")
        </div>#endif
        <div><button type="submit" class="button">#(layout.t.save)</button></div>
      </form>
    </details>
    #endif
  </details>
  <section class="card section" id="files" aria-labelledby="files-heading">
    <h2 id="files-heading">#(layout.t.files_case_title)</h2>
    #if(!closed):
    <form method="post" action="#route("portal.caseUpload", number)#files" enctype="multipart/form-data" class="form upload-form">
      #extend("shared/csrf")
      <div class="field">
        <label for="upload">#(layout.t.upload_label)</label>
        <input id="upload" name="files" type="file" multiple#if(errors.files): aria-invalid="true" aria-describedby="files-error"#else: aria-describedby="files-hint"#endif>
        <p class="hint" id="files-hint">#(layout.t.upload_hint) #(maxUploadMegabytes) MB.</p>
        #if(errors.files):<p class="field-error" id="files-error">#(errors.files)</p>#endif
      </div>
      #if(person.shown):<div class="field">
        <label for="upload-person">#(layout.t.person_pick)</label>
        <select id="upload-person" name="person"#invalid(errors.upload_person, "upload-person-error")><option value="">#(layout.t.person_choose)</option>#for(p in person.people):<option value="#(p.id)"#if(p.selected): selected#endif>#(p.name)</option>#endfor</select>
        #fieldError(errors.upload_person, "upload-person-error")
      </div>#endif
      <div><button type="submit" class="button">#(layout.t.upload_submit)</button></div>
    </form>
    #endif
    #if(count(files) == 0):<p class="muted">#(layout.t.files_empty)</p>#else:
    <ul class="files">
    #for(f in files):
      <li class="file">
        #if(f.isImage):<a href="#route("portal.caseFile", number, f.id)?inline=1" class="thumb"><img src="#route("portal.caseFile", number, f.id)?inline=1" alt="#(f.name)" loading="lazy"></a>#endif
        <div class="file-info">
          <a href="#route("portal.caseFile", number, f.id)" download>#(f.name)</a>
          <span class="muted">#(f.size) · #(f.uploader) · #(f.createdAt)</span>
        </div>
        #if(f.removable):<a class="button button-small button-danger file-remove" href="#route("portal.caseFileRemoveConfirm", number, f.id)">#(layout.t.file_remove)<span class="visually-hidden"> #(f.name)</span></a>#endif
      </li>
    #endfor
    </ul>
    #endif
  </section>
</aside>
</div>
#endexport
#endextend

"""##

    func testTheCasePageIsTheBytesTheTemplateWrote() async throws {
        let harness = try await WebHarness(loadDemo: false)
        do {
            let odd = PageHTMLFixtures.odd
            let base = Layout(PageHTMLFixtures.request(harness, "/cases/100001"), title: "Ärende 100001")
            let tables = PageHTMLFixtures.stringTables(harness)
            XCTAssertFalse(tables[0].isEmpty)
            XCTAssertEqual(PageHTMLFixtures.keysMissingInSomeLanguage(Self.template, harness), [])
            let allErrors = ["approval": "Skriv \(odd)", "approval_person": "Välj", "body": "Tomt \(odd)", "message_files": "För stor",
                             "files": "Fel fil \(odd)", "upload_person": "Välj vem", "classify_category": "Ogiltig", "classify_priority": "",
                             "person": "Vem?", "person_first_name": "Förnamn \(odd)", "person_email": "E-post"]
            let errorSets: [[String: String]] = [[:], allErrors, ["files": "", "body": "x"]]
            var pages: [PortalCaseController.CasePage] = []
            for index in 0..<72 {
                var layout = base
                layout.t = PageStrings(tables[index % tables.count])
                layout.contactPhone = index % 4 == 1 ? "08-123 \(odd)" : nil
                layout.contactPhoneLink = index % 4 == 1 ? "tel:+468123" : nil
                layout.contactEmail = index % 5 == 2 ? "info@\(odd)" : nil
                layout.hasContact = layout.contactPhone != nil || layout.contactEmail != nil
                let shared = index % 3 == 0
                let person = PersonPicker.Context(shown: shared,
                                                  people: index % 2 == 0 ? [] : [.init(id: 4, name: "Eva \(odd)", selected: true), .init(id: 9, name: "Olle", selected: false)],
                                                  newSelected: index % 2 == 0, firstName: "F \(odd)", lastName: "", email: odd, phone: "070")
                let errors = errorSets[index % errorSets.count]
                let pageCount = index % 6 == 5 ? 3 : 1
                let paging = Paging(requested: index % 4, total: pageCount == 1 ? 5 : 450, pageSize: 200) { "/cases/100001?page=\($0)&x=\(odd)#messages" }
                let closed = index % 7 == 3
                pages.append(PortalCaseController.CasePage(
                    layout: layout, number: 100_001 + index, subject: "Läcka \(odd)", description: "Beskrivning\n\(odd)",
                    status: "Pågår \(odd)", closed: closed, tone: "in-progress",
                    categoryName: index % 2 == 0 ? "Fukt \(odd)" : nil, caseTypeName: index % 3 == 1 ? nil : "Typ",
                    billable: index % 4 == 0, priorityName: index % 5 == 0 ? nil : "Hög",
                    customerName: index % 3 == 2 ? nil : "Kund \(odd)", objectName: index % 2 == 1 ? "Objekt" : nil,
                    objectAddress: index % 4 == 3 ? "Gatan 1 \(odd)" : nil, workSiteAddress: index % 6 == 0 ? "Plats" : nil,
                    referenceName: index % 5 == 4 ? "Ref \(odd)" : nil,
                    createdAt: "2026-12-04 10:00", updatedAt: "2026-12-05 \(odd)", createdBy: "Anna \(odd)", fromPortal: index % 2 == 0,
                    fields: index % 3 == 0 ? [] : [.init(label: "Fält \(odd)", value: "Värde \(odd)"), .init(label: "Tom", value: "")],
                    messageCount: index % 4 == 2 ? 0 : 3, messagesHTML: index % 4 == 2 ? "" : "\n    <li>\(odd)</li>\n  ",
                    files: index % 3 == 1 ? [] : [
                        .init(id: 7, name: "bild \(odd).jpg", size: "1,2 MB", uploader: "Anna", createdAt: "igår", isImage: true, removable: index % 2 == 0),
                        .init(id: 8, name: "avtal.pdf", size: "30 kB", uploader: odd, createdAt: "idag", isImage: false, removable: false),
                    ],
                    messageBody: index % 2 == 0 ? "" : "Hej \(odd)", copyToMe: index % 3 == 2, person: person,
                    errors: errors, notice: index % 5 == 1 ? "Sparat \(odd)" : index % 5 == 3 ? "" : nil,
                    canEditCategory: !closed && index % 4 != 1, canEditPriority: !closed && index % 3 != 2,
                    categories: [.init(value: "1", name: "Fukt \(odd)", selected: true), .init(value: "2", name: "El", selected: false)],
                    priorities: index % 2 == 0 ? [] : [.init(value: "3", name: "Hög", selected: false)],
                    maxUploadMegabytes: 25, awaitingApproval: index % 4 == 0, approvalComment: index % 2 == 0 ? "" : "Nej \(odd)",
                    version: 3 + index, categoryBlankable: index % 2 == 1, priorityBlankable: index % 3 == 0,
                    paging: paging, writeOpen: index % 2 == 1, caseLink: "/cases/100001#messages&x=\(odd)",
                    backLink: "/cases?page=2&q=\(odd)", approveLabel: "Godkänt \(odd)",
                    answerNeeded: index % 3 == 1, answerQuote: index % 2 == 0 ? nil : .init(author: "Handläggare \(odd)", createdAt: "idag", preview: "Svara \(odd)"),
                    answerLink: "/cases/100001?write=1#write", contact: index % 4 == 0 ? nil : .init(name: "Hanna \(odd)", email: index % 2 == 0 ? nil : "h@\(odd)", phone: index % 3 == 0 ? "070 \(odd)" : nil),
                    errorSummary: errors.isEmpty ? nil : [ErrorLink(text: "Fel \(odd)", href: "#body"), ErrorLink(text: "Annat", href: "#files")],
                    classifyOpen: index % 5 == 0, showDescription: index % 3 != 0,
                    chats: index % 4 == 3 ? [] : [CaseChatView(id: 11, title: "Chatt med \(odd)", startedAt: "igår", lines: [
                        .init(author: "Kund \(odd)", kind: "visitor", body: "Hej \(odd)", at: "10:00", staffOnly: false),
                        .init(author: "Stab", kind: "staff", body: "Notis", at: "10:01", staffOnly: true),
                    ]), CaseChatView(id: 12, title: "Tom", startedAt: "", lines: [])]))
            }
            for page in pages {
                let expected = try LeafLoopRendering.render(Self.template, page, partials: [
                    "shared/layout", "shared/chat-corner", "shared/csrf", "shared/notice", "shared/error-summary", "shared/status-badge",
                    "shared/person-picker", "shared/pagination"], kept: ["shared/case-chats": PageHTMLFixtures.caseChatsPartial])
                let swift = page.layout.pageHTML(body: page.bodyHTML())
                if swift != expected {
                    XCTFail("case \(page.number) \(LeafLoopRendering.difference(swift, expected))")
                    break
                }
            }
            // What the comparison covered, and nothing is left unescaped but the messages (written by `messagesHTML`).
            let all = pages.map { $0.layout.pageHTML(body: $0.bodyHTML()) }
            for part in [#"id="answer-needed""#, #"<figure class="quote">"#, #"id="approval""#, #"id="reject-person""#, #"id="upload-person""#,
                         #"class="fieldset person-picker""#, #"id="error-summary""#, #"alert-success"#, #"rel="next""#, #"id="chats""#,
                         #"class="contact-name""#, #"class="contact-company""#, #"id="classify""#, #"class="thumb""#, #"file-remove"#,
                         #"id="files-error""#, #"id="case-description""#, "tag-billable", #"<option value="">–</option>"#] {
                XCTAssertTrue(all.contains { $0.contains(part) }, part)
            }
            XCTAssertTrue(all.contains { !$0.contains("upload-form") }, "a closed case has no upload form")
            XCTAssertFalse(all.contains { $0.replacingOccurrences(of: "<li><b>", with: "").contains("<b>") }, "every value is escaped")
        } catch {
            try await harness.shutdown()
            throw error
        }
        try await harness.shutdown()
    }
}
