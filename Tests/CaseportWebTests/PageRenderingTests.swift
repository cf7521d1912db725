import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import Vapor
import XCTVapor
import XCTest

/// Views that fail loudly (issue 10, item 5): every page — portal, back office, public, error pages
/// and the confirmation pages — rendered in every language with the demo data, through
/// `TemplateAudit`. The test fails on a variable the page's context lacks, a translation key a
/// language lacks, a key or a Leaf tag that reaches the HTML raw, doubly escaped output, and on a
/// page template that no visit rendered (so a new page must be added here).
final class PageRenderingTests: XCTestCase {
    var harness: WebHarness!
    var audit: TemplateAudit!
    override func setUp() async throws {
        harness = try await WebHarness()
        audit = TemplateAudit(viewsDirectory: URL(fileURLWithPath: harness.app.directory.viewsDirectory))
        let inner = harness.app.view
        let audit = audit!
        harness.app.views.use { _ in AuditingRenderer(inner: inner, audit: audit) }
    }
    override func tearDown() async throws { try await harness.shutdown() }

    var db: any Database { harness.app.db }

    /// Templates only ever rendered inside another page, never by a handler on their own.
    static let partials: Set<String> = ["shared/layout", "shared/person-picker", "shared/csrf", "shared/pagination",
                                        "shared/status-badge", "shared/notice", "shared/form-errors", "shared/error-summary", "staff/md-tabs", "staff/paging",
                                        "staff/settings-tabs", "staff/settings-type-fields", "shared/case-selects",
                                        "shared/money-table", "shared/contact-line",
                                        "staff/webhooks/form-fields", "shared/chat-corner",
                                        "staff/claims/attention-rows", "staff/claim-access"]

    func testEveryPageInEveryLanguageReadsOnlyWhatItsContextAndStringsHave() async throws {
        var problems: [String] = []
        // An inquiry for the inbox pages, sent while inquiries come first.
        var settings = try await SettingsStore(database: db).load()
        settings.inquiriesFirst = true
        settings.selfRegistrationOpen = true
        settings.smsEnabled = true  // the inbox's "also send SMS" switch
        try await SettingsStore(database: db).save(settings)
        let husA = try await ObjectRecord.query(on: db).filter(\.$name == "Solgläntan hus A").first()!
        let sender = harness.browser()
        try await sender.portalLogin("solglantan", "anna")
        try await sender.get("/cases/new")
        try await sender.post(PortalRoute.newCaseConfirm.path(), ["subject": "Dörren gnisslar", "description": "Sedan i måndags",
                                                                  "object": String(husA.id!), "work_site_address": "Gläntvägen 2"])
        settings.inquiriesFirst = false
        try await SettingsStore(database: db).save(settings)

        let caseNumber = try await Demo.caseNumbers(ofCustomer: "1001", on: db).sorted().first!
        let inquiry = try await InquiryRecord.query(on: db).first()!
        let caseType = try await CaseTypeRecord.query(on: db).first()!
        let customer = try await Demo.customer("1001", on: db)
        let object = try await ObjectRecord.query(on: db).first()!
        let contact = try await ContactRecord.query(on: db).first()!
        let portalUser = try await PortalUserRecord.query(on: db).filter(\.$username == "anna").first()!
        let staffUser = try await StaffUserRecord.query(on: db).first()!
        let handlerUser = try await StaffUserRecord.query(on: db).filter(\.$email == "handler@example.com").first()!
        let karin = try await ContactRecord.query(on: db).filter(\.$email == "karin@solglantan.example").first()!
        let styrelsen = try await PortalUserRecord.query(on: db).filter(\.$username == "styrelsen").first()!
        let setPasswordToken = try await AccountTokens(database: db).issue(userId: portalUser.id!, purpose: "set_password", lifetime: 3_600)
        // Issue 11: the staff case page with everything it can show — unread message and upload, a
        // type field, a linked contact — and a customer file for the customer page.
        try await sender.get(PortalRoute.case.path(caseNumber))
        try await sender.post(PortalRoute.caseMessage.path(caseNumber), ["body": "Någon hemma på torsdag?"])
        try await sender.get(PortalRoute.case.path(caseNumber))
        try await sender.upload(PortalRoute.caseUpload.path(caseNumber), files: [("foto.png", "image/png", Demo.pngBytes())])
        let shownCase = try await CaseRecord.query(on: db).filter(\.$number == caseNumber).first()!
        try await CaseFieldValueRecord(caseId: shownCase.id!, fieldId: nil, label: "Våning", value: "3", sortOrder: 0).create(on: db)
        // Issue 13: an unshared report in the case's library and a budget line.
        let report = StoredFileRecord()
        report.caseId = shownCase.id
        report.storageKey = "page-rendering-report"
        report.originalName = "besiktning.pdf"
        report.contentType = "application/pdf"
        report.byteSize = 10
        report.uploaderName = "Henrik"
        report.createdAt = Date()
        report.category = CaseDocumentCategory.inspectionReport.rawValue
        report.title = "Besiktningsrapport"
        report.isShared = false
        try await report.create(on: db)
        try await BudgetLines(database: db).add(caseId: shownCase.id!, description: "Avfuktning", quantity: Quantity(milli: 2500),
                                                unitPrice: Money(minor: 1001), amount: Money(minor: 2503), at: Date())
        let budgetLine = try await BudgetLineRecord.query(on: db).first()!
        let linker = harness.browser()
        try await linker.staffLogin("handler@example.com")
        let erik = try await ContactRecord.query(on: db).filter(\.$firstName == "Erik").first()!
        try await linker.get(StaffRoute.case.path(caseNumber))
        try await linker.post(StaffRoute.caseContactAdd.path(caseNumber), ["contact": String(erik.id!)])
        try await linker.get(StaffRoute.customer.path(customer.id!))
        try await linker.upload(StaffRoute.customerFiles.path(customer.id!), files: [("regler.pdf", "application/pdf", Array("%PDF-1.4".utf8))])
        let caseFile = try await StoredFileRecord.query(on: db).filter(\.$caseId == shownCase.id!).first()!
        // Issue 13: the shown case is a claim with a task and a call (the case page's Claim part).
        try await linker.get(StaffRoute.case.path(caseNumber))
        try await linker.post(ClaimOfficeRoute.register.path(caseNumber), ["version": String(shownCase.version), "damage_type": "Vattenskada",
                                                                          "policyholder_type": "private"])
        let claimVersion = try await CaseRecord.query(on: db).filter(\.$number == caseNumber).first()!.version
        try await linker.post(ClaimOfficeRoute.taskAdd.path(caseNumber), ["version": String(claimVersion), "task_kind": "inspection",
                                                                         "task_title": "Besiktning", "task_awaiting": "1"])
        try await linker.post(ClaimOfficeRoute.callLog.path(caseNumber), ["call_callee": "Anna", "call_number": "070 123 45 67",
                                                                         "call_answered": "1", "call_length": "2:10"])
        // Issue 11: a resolved "Tested OK" case nobody could be reminded about, a shared account with a
        // saved person (the case page's person choices).
        let resolvedNumber = try await Demo.caseNumbers(ofCustomer: "1001", on: db).sorted().last!
        let resolved = try await CaseRecord.query(on: db).filter(\.$number == resolvedNumber).first()!
        let testedType = CaseTypeRecord(name: "Utveckling")
        testedType.approvalLabel = ApprovalLabel.testedOK.rawValue
        try await testedType.create(on: db)
        resolved.caseTypeId = testedType.id
        resolved.status = .resolved
        resolved.approvalUnreachedAt = Date().timeIntervalSince1970
        try await resolved.save(on: db)
        let board = try await PortalUserRecord.query(on: db).filter(\.$username == "styrelsen").first()!
        _ = try await AccountPeople(database: db).add(userId: board.id!, firstName: "Eva", lastName: "Ek", email: nil, phone: nil)
        let webhook = try await Self.webhookWithADelivery(on: db)
        // Issue 13: the shown case is a claim; Erik (linked above) is its policyholder with a personal link,
        // and the SMS code is on, so the link's pages, the code form and the staff's access part all render.
        // (Registered as a claim above through the back office's form; made here only if that failed.)
        if try await ClaimDetailsRecord.find(shownCase.id!, on: db) == nil {
            let claimDetails = ClaimDetailsRecord()
            claimDetails.id = shownCase.id!
            claimDetails.policyholderType = "private"
            try await claimDetails.create(on: db)
        }
        if let role = try await CaseContactLink.query(on: db).filter(\.$caseId == shownCase.id!).filter(\.$contactId == erik.id!).first() {
            role.role = "policyholder"
            try await role.save(on: db)
        }
        var claimSettings = ClaimPageSettings()
        claimSettings.smsCode = true
        claimSettings.daysAfterClose = 3_650  // the demo case may have closed long ago
        try await ClaimSettingsStore(database: db).saveDeployment(claimSettings)
        let claimToken = try await ClaimLinks(database: db).create(
            caseId: shownCase.id!, for: .init(contactId: erik.id!, name: "Erik", email: erik.email, phone: erik.phone, language: .sv),
            trigger: .manual, staffId: nil, now: Date()).token

        // Issue 13: the demo's claim, for the customer page through the staff preview.
        let claim = try await DemoClaims.load(on: db, storage: harness.app.caseport.storage)!
        // B12: last month's report for Solgläntan, for the portal's and staff's report lists.
        try await MonthlyReportJob(application: harness.app, clock: { Date() }).run()

        for language in Language.allCases {
            /// `status` nil: any answer but a server error (pages whose status is not what this test is about).
            func visit(_ browser: Browser, _ path: String, status: HTTPStatus? = .ok, post fields: [String: String]? = nil) async throws {
                let response = fields == nil ? try await browser.get(path) : try await browser.post(path, fields!)
                if let status, response.status != status {
                    problems.append("\(language) \(path): status \(response.status.code), expected \(status.code)")
                } else if response.status.code >= 500 {
                    problems.append("\(language) \(path): status \(response.status.code)")
                }
                // The outbox names each message's kind as the code does (password_reset, …): a log, not a sentence.
                var html = response.body.string
                if path.hasPrefix(StaffRoute.outbox.path()) {
                    html = html.replacingOccurrences(of: #"<span class="tag">[a-z_]+</span>"#, with: "", options: .regularExpression)
                }
                problems += Self.outputProblems(in: html).map { "\(language) \(path): \($0)" }
            }
            func choose(_ browser: Browser, from page: String) async throws {
                try await browser.get(page)  // a fresh CSRF token for this session
                try await browser.post(PortalRoute.language.path(), ["language": language.rawValue, "returnTo": "/"])
            }

            // Public pages and pages reached without a session.
            let visitor = harness.browser()
            try await choose(visitor, from: PortalRoute.login.path())
            try await visit(visitor, PortalRoute.login.path())
            try await visit(visitor, PortalRoute.register.path())
            try await visit(visitor, PortalRoute.forgotPassword.path())
            try await visit(visitor, PortalRoute.setPassword.path(query: ["token": "not-a-token"]), status: nil)
            try await visit(visitor, PortalRoute.setPassword.path(query: ["token": setPasswordToken]))
            try await visit(visitor, PortalRoute.registerConfirm.path(query: ["token": "not-a-token"]), status: nil)
            try await visit(visitor, PortalRoute.forgotPasswordSubmit.path(), post: ["organisation": "solglantan", "username": "anna"])
            try await visit(visitor, StaffRoute.login.path())
            try await visit(visitor, StaffRoute.setPassword.path(query: ["token": "not-a-token"]), status: nil)
            try await visit(visitor, "/no-such-page", status: .notFound)
            // An expired form (no CSRF token) keeps what was typed on the error page.
            try await visit(visitor, PortalRoute.loginSubmit.path(), status: nil, post: ["csrf_token": "stale", "username": "anna"])

            // The portal, as a customer administrator.
            let anna = harness.browser()
            try await anna.portalLogin("solglantan", "anna")
            try await choose(anna, from: PortalRoute.cases.path())
            try await visit(anna, PortalRoute.cases.path())
            try await visit(anna, PortalRoute.cases.path(query: ["q": "x", "from": "not-a-date"]))
            try await visit(anna, PortalRoute.case.path(caseNumber))
            try await visit(anna, PortalRoute.case.path(caseNumber, query: ["notice": "message"]))
            try await visit(anna, PortalRoute.newCase.path())
            try await visit(anna, PortalRoute.newCase.path(query: ["type": String(caseType.id!)]))
            try await visit(anna, PortalRoute.newCaseReview.path(), post: ["subject": "Läckande kran", "description": "Droppar",
                                                                          "object": String(husA.id!), "work_site_address": "Gläntvägen 2"])
            try await visit(anna, PortalRoute.newCaseReview.path(), status: nil, post: ["subject": ""])
            try await visit(anna, PortalRoute.files.path())
            try await visit(anna, PortalRoute.users.path())
            try await visit(anna, PortalRoute.newUser.path())
            try await visit(anna, PortalRoute.user.path(portalUser.id!))
            // Issue 11 points 6-10: register contact → login, links error, remove confirmation, the open
            // message box with an error, a refused classification, the case list with a day in the language's form.
            try await visit(anna, PortalRoute.newUser.path(query: ["contact": String(karin.id!)]))
            try await visit(anna, PortalRoute.newUserSubmit.path(), status: .unprocessableEntity,
                            post: ["first_name": "Nils", "links_shown": "1", "link_customer_999999": "1"])
            try await visit(anna, PortalRoute.removeUser.path(styrelsen.id!))
            // Issue 12 points 4 and 7: a sorted list, a file removal's confirmation, a deactivation's question.
            try await visit(anna, PortalRoute.cases.path(query: ["sort": "subject", "dir": "asc"]))
            try await visit(anna, PortalRoute.caseFileRemoveConfirm.path(caseNumber, caseFile.id!))
            try await visit(anna, PortalRoute.userSubmit.path(styrelsen.id!), status: .unprocessableEntity,
                            post: ["first_name": "Styrelsen", "last_name": "Solgläntan", "username": "styrelsen"])
            try await visit(anna, PortalRoute.caseMessage.path(caseNumber), status: .unprocessableEntity, post: ["body": ""])
            try await visit(anna, PortalRoute.caseClassify.path(caseNumber), status: nil, post: ["category": "", "version": "0"])
            try await visit(anna, PortalRoute.cases.path(query: ["from": "2026-01-31", "to": "31.01.2026"]))
            try await visit(anna, PortalRoute.inquiries.path())
            try await visit(anna, PortalRoute.inquiry.path(inquiry.id!, query: ["notice": "received"]))
            try await visit(anna, PortalRoute.case.path(99_999_999), status: .notFound)
            try await visit(anna, PortalRoute.newCaseReceipt.path(query: ["number": "1234"]))
            try await visit(anna, PortalRoute.case.path(resolvedNumber))
            // Issue 16: the customer administrator's API tokens — the list, a problem, a new token shown once.
            try await visit(anna, PortalRoute.apiTokens.path())
            try await visit(anna, PortalRoute.apiTokenCreate.path(), status: .unprocessableEntity,
                            post: ["name": "", "owner": String(portalUser.id!), "scope": "read", "expires": "x"])
            try await visit(anna, PortalRoute.apiTokenCreate.path(), post: ["name": "Integration", "owner": String(portalUser.id!),
                                                                              "scope": "write", "expires": ""])
            try await visit(anna, PortalRoute.apiTokens.path(query: ["notice": "deleted"]))

            // Issue 11: a shared account on a resolved case (who uploads, who says "Not OK").
            let boardBrowser = harness.browser()
            try await boardBrowser.portalLogin("solglantan", "styrelsen")
            try await choose(boardBrowser, from: PortalRoute.cases.path())
            try await visit(boardBrowser, PortalRoute.case.path(resolvedNumber))
            try await visit(boardBrowser, PortalRoute.caseReject.path(resolvedNumber), status: .unprocessableEntity,
                            post: ["comment": "Läcker"])
            try await visit(boardBrowser, PortalRoute.newCase.path(query: ["type": String(caseType.id!)]))

            // The back office, as an administrator.
            let admin = harness.browser()
            try await admin.staffLogin("admin@example.com")
            try await choose(admin, from: StaffRoute.home.path())
            for route in [StaffRoute.home, .cases, .outbox, .inbox, .settings, .catalogue, .caseTypes, .branding,
                          .customers, .newCustomer, .objects, .newObject, .contacts, .newContact, .portalUsers,
                          .newPortalUser, .staffUsers, .newStaffUser, .audit, .importForm] {
                try await visit(admin, route.path())
            }
            try await visit(admin, StaffRoute.case.path(caseNumber))
            try await visit(admin, StaffRoute.inboxItem.path(inquiry.id!))
            try await visit(admin, StaffRoute.caseType.path(caseType.id!))
            try await visit(admin, StaffRoute.customer.path(customer.id!))
            try await visit(admin, StaffRoute.object.path(object.id!))
            try await visit(admin, StaffRoute.contact.path(contact.id!))
            try await visit(admin, StaffRoute.portalUser.path(portalUser.id!))
            try await visit(admin, StaffRoute.staffUser.path(staffUser.id!))
            try await visit(admin, StaffRoute.cases.path(query: ["q": "kran", "status": "active", "unread": "1"]))
            // Issue 12 points 4 and 7: a sorted, filtered list; deactivating a staff account and a portal login ask first.
            try await visit(admin, StaffRoute.cases.path(query: ["sort": "created", "dir": "asc", "handler": "none"]))
            try await visit(admin, StaffRoute.staffUserSubmit.path(handlerUser.id!), status: .unprocessableEntity,
                            post: ["name": handlerUser.name, "email": handlerUser.email, "role": "handler"])
            try await visit(admin, StaffRoute.portalUserSubmit.path(portalUser.id!), status: .unprocessableEntity,
                            post: ["organisation": "1001", "username": "anna", "first_name": "Anna", "last_name": "Lindqvist",
                                   "login_kind": "contact"])
            try await visit(admin, StaffRoute.newCustomerSubmit.path(), status: nil, post: ["name": ""])
            // Issue 11: new case, files, contacts, the unread box and the notices of these pages.
            try await visit(admin, StaffRoute.newCase.path())
            try await visit(admin, StaffRoute.newCase.path(query: ["customer": String(customer.id!)]))
            try await visit(admin, StaffRoute.newCaseSubmit.path(), status: .unprocessableEntity, post: ["subject": "", "description": "x"])
            try await visit(admin, StaffRoute.fileRemove.path(caseFile.id!))
            try await visit(admin, StaffRoute.case.path(caseNumber))
            try await visit(admin, StaffRoute.caseContactAdd.path(caseNumber), status: .unprocessableEntity, post: ["contact": ""])
            // Issue 12: a failed reply and a failed internal note show the error summary.
            try await visit(admin, StaffRoute.caseMessage.path(caseNumber), status: .unprocessableEntity, post: ["body": ""])
            try await visit(admin, StaffRoute.caseNote.path(caseNumber), status: .unprocessableEntity, post: ["body": ""])
            // Issue 13: the claim's forms with problems, the start page's attention lists.
            try await visit(admin, ClaimOfficeRoute.details.path(caseNumber), status: .unprocessableEntity,
                            post: ["version": "0", "damage_type": "", "policyholder_type": "x", "pm_phone": "?"])
            try await visit(admin, ClaimOfficeRoute.taskAdd.path(caseNumber), status: .unprocessableEntity,
                            post: ["version": "0", "task_kind": "x", "task_title": ""])
            try await visit(admin, ClaimOfficeRoute.callLog.path(caseNumber), status: .unprocessableEntity, post: ["call_callee": ""])
            for row in ["reminders_today", "supplier_uploads", "awaiting_supplier"] {
                try await visit(admin, ClaimOfficeRoute.attention.path(row))
            }
            for notice in ["uploaded", "removed", "added", "deleted", "created"] {
                try await visit(admin, StaffRoute.case.path(caseNumber, query: ["notice": notice]))
            }
            try await visit(admin, StaffRoute.cases.path(query: ["notice": "read", "n": "2"]))
            try await visit(admin, StaffRoute.customer.path(customer.id!, query: ["notice": "uploaded"]))
            try await visit(admin, StaffRoute.object.path(object.id!, query: ["notice": "removed"]))
            // Issue 16: the staff admin's API tokens.
            try await visit(admin, StaffRoute.apiTokens.path())
            try await visit(admin, StaffRoute.apiTokenCreate.path(), status: .unprocessableEntity,
                            post: ["name": "Export", "owner": String(staffUser.id!), "scope": "", "expires": "0"])
            try await visit(admin, StaffRoute.apiTokenCreate.path(), post: ["name": "Export", "owner": String(staffUser.id!),
                                                                             "scope": "read", "expires": "30"])
            try await visit(admin, StaffRoute.apiTokens.path(query: ["notice": "deleted"]))
            // Issue 16: webhooks (a failed subscription with a delivery and its answer; a form with problems).
            try await visit(admin, StaffRoute.webhooks.path(query: ["notice": "deleted"]))
            try await visit(admin, StaffRoute.webhook.path(webhook, query: ["notice": "created"]))
            try await visit(admin, StaffRoute.webhookCreate.path(), status: .unprocessableEntity, post: ["url": "http://10.0.0.1/"])
            try await visit(admin, StaffRoute.webhookUpdate.path(webhook), status: .unprocessableEntity, post: ["url": ""])
            // Issue 13: the customer-page settings at three levels, a case's customer access, revoking asks first;
            // the personal link's page, its code form and the neutral page.
            try await visit(admin, ClaimAccessRoute.settings.path())
            try await visit(admin, ClaimAccessRoute.settings.path(query: ["notice": "saved"]))
            try await visit(admin, ClaimAccessRoute.settingsSubmit.path(), status: .unprocessableEntity, post: ["daysAfterClose": "x"])
            try await visit(admin, ClaimAccessRoute.customerSettings.path(customer.id!))
            try await visit(admin, ClaimAccessRoute.customerSettingsSubmit.path(customer.id!), status: .unprocessableEntity,
                            post: ["daysAfterClose": "-1", "feedFilter_mode": "own"])
            try await visit(admin, ClaimAccessRoute.caseAccess.path(caseNumber, query: ["notice": "created"]))
            try await visit(admin, ClaimAccessRoute.caseAccessSubmit.path(caseNumber), status: .unprocessableEntity,
                            post: ["showHandlerName": "false", "showHandlerMobile": "true"])
            try await visit(admin, ClaimAccessRoute.caseRevoke.path(caseNumber), post: ["contact": String(erik.id!)])
            let claimVisitor = harness.browser()
            try await choose(claimVisitor, from: ClaimAccessRoute.link.path(claimToken))
            try await visit(claimVisitor, ClaimAccessRoute.link.path(claimToken))
            try await visit(claimVisitor, ClaimAccessRoute.open.path(), status: .notFound, post: ["token": ClaimLinkRules.newToken()])
            _ = try await claimVisitor.post(ClaimAccessRoute.open.path(), ["token": claimToken])
            try await visit(claimVisitor, ClaimAccessRoute.code.path())
            try await visit(claimVisitor, ClaimAccessRoute.codeSubmit.path(), status: nil, post: ["code": "12"])

            // Issue 11: the confirmation before deleting several inquiries, the CSV import's preview of a
            // Windows-1252 file and its line-and-column problem, and a handler's inbox limited to their own.
            try await admin.get(StaffRoute.inbox.path())
            try await visit(admin, StaffRoute.inboxBulk.path(), post: ["action": "delete", "inquiry_\(inquiry.id!)": "1", "inquiry_99999": "1"])
            try await admin.get(StaffRoute.importForm.path())
            for (bytes, status) in [(InboxAndImportLoopTests.excelContacts, HTTPStatus.ok),
                                    (Array("a;b\n\"open;1\n".utf8), .unprocessableEntity)] {
                let response = try await admin.uploadCSVBytes(kind: "contacts", name: "kontakter.csv", bytes: bytes)
                if response.status != status { problems.append("\(language) import upload: status \(response.status.code)") }
                // The sample's headings are the file's column names (`<code>first_name</code>`), not sentences.
                let html = response.body.string.replacingOccurrences(of: "<code>[a-z_]+</code>", with: "", options: .regularExpression)
                problems += Self.outputProblems(in: html).map { "\(language) import upload: \($0)" }
                try await admin.get(StaffRoute.importForm.path())
            }
            let handler = harness.browser()
            try await handler.staffLogin("handler@example.com")
            try await choose(handler, from: StaffRoute.home.path())
            try await visit(handler, StaffRoute.inbox.path())
            try await visit(handler, StaffRoute.inbox.path(query: ["mine": "1"]))

            // Issue 14 points 4 and 6: the dashboards (portal and staff), the monthly reports.
            for kind in DashboardKind.available {
                try await visit(anna, PortalRoute.dashboard.path(kind.rawValue))
                try await visit(admin, StaffRoute.dashboard.path(kind.rawValue))
            }
            try await visit(anna, PortalRoute.dashboard.path(["lead-times"], query: [("from", "2026-13-01"), ("to", "x")]))
            try await visit(anna, PortalRoute.dashboard.path(["cases"], query: [("from", "2025-01-01"), ("to", "2025-12-31"), ("scope", "mine")]))
            try await visit(anna, PortalRoute.reports.path())
            try await visit(admin, StaffRoute.customerReports.path(customer.id!))
            try await visit(admin, StaffRoute.customerReports.path(customer.id!, query: ["notice": "created"]))
            try await visit(admin, StaffRoute.customerReportMake.path(customer.id!), status: .unprocessableEntity, post: ["month": "2999-01"])
            // Issue 16 point 5 (E3): the public privacy page, the back office's privacy page with its
            // problems, a dry run's report, a legal hold and its notices.
            // Issue 15 (B13/D7): the chat button's page without JavaScript (open and closed), a refused
            // message, and the staff console with a waiting chat.
            // Issue 13: the claim's customer page, every tab through the staff preview, and without a link.
            for tab in ClaimTab.allCases {
                try await visit(admin, ClaimPageRoute.preview.path([String(claim.number)],
                                                                   query: [("contact", String(claim.contactPersonId)), ("tab", tab.rawValue)]))
            }
            try await visit(admin, ClaimPageRoute.preview.path([String(claim.number)], query: [("page", "2")]))
            // Without a link session the personal link's middleware answers with its neutral page; a
            // preview of a case that is no claim says it has no customer page.
            try await visit(visitor, ClaimPageRoute.overview.path(), status: .notFound)
            try await visit(visitor, ClaimPageRoute.documents.path(), status: .notFound)
            try await visit(admin, ClaimPageRoute.preview.path(resolvedNumber))
            try await visit(visitor, ChatRoute.page.path())
            try await visit(visitor, ChatRoute.leave.path(), status: .unprocessableEntity,
                            post: ["name": "", "email": "x", "message": ""])
            try await visit(admin, ChatRoute.availability.path(), status: .seeOther, post: ["available": "1"])
            try await visit(anna, ChatRoute.page.path(query: ["notice": "received"]))
            try await visit(admin, ChatRoute.console.path())
            try await visit(visitor, PublicRoute.privacy.path())
            try await visit(anna, PublicRoute.privacy.path())
            try await visit(admin, StaffRoute.privacy.path())
            try await visit(admin, StaffRoute.privacySubmit.path(), status: .unprocessableEntity,
                            post: ["action_contact_details": "delete", "days_contact_details": "", "contact_email": "nope"])
            try await visit(admin, StaffRoute.privacyDryRun.path(), post: [:])
            try await visit(admin, StaffRoute.legalHold.path(), status: .unprocessableEntity, post: ["case_number": "", "reason": ""])
            for notice in ["saved", "added", "removed"] {
                try await visit(admin, StaffRoute.privacy.path(query: ["notice": notice]))
            }
            try await visit(admin, StaffRoute.privacyExport.path(), status: .unprocessableEntity, post: ["email": "nobody@example.org"])
            if let held = try await CaseRecord.query(on: db).filter(\.$legalHoldAt != nil).first() {
                try await visit(admin, StaffRoute.case.path(held.number))
            } else {
                problems.append("the demo has no case on legal hold")
            }

            // Issue 14: the money pages (the demo's rows, work orders and Anna's waiting specification),
            // with their problem states; the portal's Actions with rows and without.
            let spec = try await InvoiceSpecificationRecord.query(on: db).first()!
            let rowsCase = try await CaseRecord.find(try await ArticleRowRecord.query(on: db).first()!.caseId, on: db)!
            let doneOrder = try await WorkOrderRecord.query(on: db).filter(\.$state == "done").first()!
            let doneCase = try await CaseRecord.find(doneOrder.caseId, on: db)!
            let openOrder = try await WorkOrderRecord.query(on: db).filter(\.$state == "draft").first()!
            let openCase = try await CaseRecord.find(openOrder.caseId, on: db)!
            let priced = try await ArticleRecord.query(on: db).first()!
            try await visit(anna, PortalRoute.caseActions.path(rowsCase.number))
            try await visit(anna, PortalRoute.caseActions.path(caseNumber))
            try await visit(anna, PortalRoute.specifications.path())
            try await visit(anna, PortalRoute.specification.path(spec.id!, query: ["notice": "approved"]))
            try await visit(anna, PortalRoute.specificationReject.path(spec.id!), status: .unprocessableEntity, post: ["comment": " "])
            try await visit(admin, StaffRoute.priceList.path(query: ["notice": "saved"]))
            try await visit(admin, StaffRoute.article.path(priced.id!))
            try await visit(admin, StaffRoute.articleAdd.path(), status: .unprocessableEntity, post: ["code": "", "price": "x"])
            try await visit(admin, StaffRoute.articleUpdate.path(priced.id!), status: .unprocessableEntity, post: ["code": ""])
            try await visit(admin, StaffRoute.actionCodeAdd.path(), status: .unprocessableEntity, post: ["action_code": ""])
            try await visit(admin, StaffRoute.actionColumns.path(), status: .unprocessableEntity, post: [:])
            try await visit(admin, StaffRoute.caseMoney.path(rowsCase.number, query: ["notice": "added"]))
            try await visit(admin, StaffRoute.caseRowBook.path(rowsCase.number), status: .unprocessableEntity, post: ["quantity": "x"])
            try await visit(admin, StaffRoute.workOrderCreate.path(rowsCase.number), status: .unprocessableEntity, post: ["title": ""])
            try await visit(admin, StaffRoute.workOrder.path(doneCase.number, doneOrder.id!))
            try await visit(admin, StaffRoute.workOrder.path(openCase.number, openOrder.id!, query: ["notice": "created"]))
            try await visit(admin, StaffRoute.workOrderUpdate.path(openCase.number, openOrder.id!), status: .unprocessableEntity,
                            post: ["title": "", "version": String(openOrder.version)])
            try await visit(admin, StaffRoute.workOrderState.path(doneCase.number, doneOrder.id!), status: .unprocessableEntity,
                            post: ["state": "draft", "version": String(doneOrder.version)])
            try await visit(admin, StaffRoute.specifications.path())
            try await visit(admin, StaffRoute.newSpecification.path(query: ["customer": String(customer.id!)]))
            try await visit(admin, StaffRoute.newSpecificationSubmit.path(), status: .unprocessableEntity,
                            post: ["customer": String(customer.id!), "title": ""])
            try await visit(admin, StaffRoute.specification.path(spec.id!, query: ["notice": "created"]))

            // Issue 13: the staff case page's document library and budget, with their forms and questions.
            try await visit(admin, StaffRoute.case.path(caseNumber, query: ["docs": "shared", "budget": "added"]))
            try await visit(admin, StaffRoute.case.path(caseNumber, query: ["docs": "none"]))
            try await visit(admin, ClaimDocsRoute.share.path(caseNumber), post: ["doc_\(report.id!)": "1"])
            try await visit(admin, ClaimDocsRoute.edit.path(caseNumber, report.id!))
            try await visit(admin, ClaimDocsRoute.editSubmit.path(caseNumber, report.id!), status: .unprocessableEntity,
                            post: ["category": "", "title": "Rapport"])
            try await visit(admin, ClaimDocsRoute.delete.path(caseNumber, report.id!))
            try await visit(admin, ClaimDocsRoute.unshare.path(caseNumber, report.id!))
            try await visit(admin, ClaimDocsRoute.budgetLine.path(caseNumber, budgetLine.id!))
            try await visit(admin, ClaimDocsRoute.budgetAdd.path(caseNumber), status: .unprocessableEntity,
                            post: ["description": "", "quantity": "x", "unit_price": ""])
            try await visit(admin, ClaimDocsRoute.budgetLineRemove.path(caseNumber, budgetLine.id!), post: [:])
        }
        problems += audit.findings
        let pages = try Self.pageTemplates(in: URL(fileURLWithPath: harness.app.directory.viewsDirectory))
        let unrendered = pages.subtracting(audit.renderedTemplates).subtracting(Self.partials)
        problems += unrendered.sorted().map { "\($0): no visit rendered this page" }
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
    }

    /// Issue 16: a switched-off webhook subscription with one failed delivery and its logged answer.
    static func webhookWithADelivery(on db: any Database) async throws -> Int {
        let subscription = WebhookSubscriptionRecord()
        subscription.url = "https://erp.example.com/hooks?a=1&b=2"
        subscription.secret = "whsec_" + Data(repeating: 1, count: 32).base64EncodedString()
        subscription.kinds = WebhookSubscriptionRecord.storedKinds(["status", "note"])
        subscription.description = "ERP <test>"
        subscription.isActive = false
        subscription.disabledAt = 1
        subscription.failingSince = 1
        subscription.failedAttempts = 12
        subscription.createdAt = 1
        try await subscription.create(on: db)
        let delivery = WebhookDeliveryRecord()
        delivery.subscriptionId = subscription.id!
        delivery.eventId = 1
        delivery.eventKind = "status"
        delivery.body = "{}"
        delivery.status = "failed"
        delivery.attempts = 12
        delivery.nextAttemptAt = 0
        delivery.createdAt = 1
        try await delivery.create(on: db)
        let attempt = WebhookAttemptRecord()
        attempt.deliveryId = delivery.id!
        attempt.at = 1
        attempt.statusCode = 500
        attempt.excerpt = "<html>Internal error & more</html>"
        attempt.durationMs = 12
        try await attempt.create(on: db)
        return subscription.id!
    }

    /// Keys the code asks for by name (`request.t("cases_title")`) exist in every language; keys put
    /// together at run time (`"staff_notice_\(kind)"`) are reached by the page visits above.
    func testEveryTranslationKeyNamedInTheCodeExistsInEveryLanguage() throws {
        // `t("key")` in the web layer; `t("key")` and `text("key")` in the operations (notifications), and
        // the problem keys they name (`problems.add(.field, "key")`), which the web translates.
        var keys: Set<String> = []
        for (target, pattern) in [("Sources/CaseportWeb", #"\bt\("([a-z0-9_]+)"\)"#),
                                  ("Sources/CaseportOperations", #"\b(?:t|text)\("([a-z0-9_]+)"\)"#),
                                  // Problem keys: `problems.add(.name, "settings_error_name_taken")`, `refuse("…")`.
                                  ("Sources/CaseportOperations", #"\b(?:add|set|refuse)\((?:\.\w+(?:\(\w+\))?, )?"([a-z0-9_]+)"\)"#)] {
        let regex = try NSRegularExpression(pattern: pattern)
        let sources = RouteTests.sourceRoot.appendingPathComponent(target)
        let enumerator = FileManager.default.enumerator(atPath: sources.path)
        while let file = enumerator?.nextObject() as? String {
            guard file.hasSuffix(".swift") else { continue }
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8) as NSString
            for match in regex.matches(in: text as String, range: NSRange(location: 0, length: text.length)) {
                keys.insert(text.substring(with: match.range(at: 1)))
            }
        }
        }
        XCTAssertGreaterThan(keys.count, 150)
        // Keys named by an enum's cases: the staff outbox's label of each kind.
        keys.formUnion(OutboxKind.allCases.map { "outbox_kind_\($0.rawValue)" })
        let tables = harness.app.caseport.translations.tables
        for language in Language.allCases {
            let missing = keys.filter { tables[language]?[$0] == nil }.sorted()
            XCTAssertEqual(missing, [], "\(language) lacks \(missing)")
        }
    }

    /// Every `.leaf` file's name, relative to the views directory, without extension.
    static func pageTemplates(in directory: URL) throws -> Set<String> {
        var names: Set<String> = []
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        while let file = enumerator?.nextObject() as? String {
            if file.hasSuffix(".leaf") { names.insert(String(file.dropLast(5))) }
        }
        return names
    }

    /// What must never reach a page: a Leaf tag left unrendered, a translation key shown as text, or
    /// an entity escaped twice.
    static func outputProblems(in html: String) -> [String] {
        var found: [String] = []
        for tag in ["#if(", "#for(", "#endif", "#endfor", "#else", "#extend", "#export", "#import", "#route", "#(", "#unsafeHTML"]
        where html.contains(tag) {
            found.append("Leaf tag \(tag) in the output")
        }
        for entity in ["&amp;amp;", "&amp;lt;", "&amp;gt;", "&amp;quot;", "&amp;#"] where html.contains(entity) {
            found.append("doubly escaped \(entity)")
        }
        // Text between tags, and the attributes people read, that look like a translation key.
        let key = #"(?:>|(?:title|placeholder|aria-label|alt)=")\s*([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\s*(?:<|")"#
        let regex = try! NSRegularExpression(pattern: key)
        let ns = html as NSString
        for match in regex.matches(in: html, range: NSRange(location: 0, length: ns.length)) {
            found.append("raw key \"\(ns.substring(with: match.range(at: 1)))\"")
        }
        return found
    }
}

/// The audit itself: a template that misspells a field, reads a missing key, or reads a field of a
/// loop element that the element's type lacks is reported; one that reads only what is there is not.
final class TemplateAuditTests: XCTestCase {
    struct Row: Encodable { var name: String; var note: String? }
    struct Context: Encodable { var layout: Strings; var rows: [Row]; var empty: [Row]; var title: String?; var values: [String: String] }
    struct Strings: Encodable { var t: PageStrings }

    func testMisspeltFieldsAndMissingKeysAreReportedAndTheRestIsNot() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("shared"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try #"<b>#(name)</b>#(nmae)"#.write(to: directory.appendingPathComponent("shared/row.leaf"), atomically: true, encoding: .utf8)
        try ##"""
        #(layout.t.known) #(layout.t.unknown_key) #if(title):#(title)#endif #(titel)
        #for(row in rows):#(row.name) #(row.note) #(row.nmae) #extend("shared/row", row)#if(isFirst):x#endif#endfor
        #for(row in empty):#(row.anything)#endfor #(values.whatever) #(count(rows)) #route("portal.case", rows)
        """##.write(to: directory.appendingPathComponent("page.leaf"), atomically: true, encoding: .utf8)
        let audit = TemplateAudit(viewsDirectory: directory)
        audit.check("page", context: Context(layout: Strings(t: PageStrings(["known": "Known"])), rows: [Row(name: "a", note: nil)],
                                           empty: [], title: nil, values: [:]))
        let findings = audit.findings.joined(separator: "\n")
        XCTAssertTrue(findings.contains("no translation key \"unknown_key\""), findings)
        XCTAssertTrue(findings.contains("no field \"titel\""), findings)
        XCTAssertTrue(findings.contains("no field \"nmae\" in Row"), findings)
        XCTAssertTrue(findings.contains("shared/row with row: nmae"), findings)
        XCTAssertEqual(audit.findings.count, 4, findings)
    }
}
