import CaseportCore
import CaseportOperations
import CaseportStore
import Vapor

/// B12 in the portal: "Reports" lists the monthly reports of the customers the user may read
/// (`MonthlyReportAccess`: a contact linked to the customer, or its invoice-customer login) and serves
/// each PDF; any other report is a 404, like a missing one.
struct PortalMonthlyReportsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(PortalRoute.reports, use: list)
        routes.on(PortalRoute.report, use: download)
    }

    struct ReportRow: Encodable {
        var id: Int
        var month: String
        var customer: String
        var caseCount: Int
        var size: String
        var href: String
    }

    struct ReportsPage: Encodable {
        var layout: Layout
        var reports: [ReportRow]
    }

    func list(request: Request) async throws -> View {
        let customers = MonthlyReportAccess.customerIds(for: try request.requirePortal().viewer)
        let rows = try await MonthlyReports(database: request.database).list(customerIds: customers)
        let page = ReportsPage(layout: Layout(request, title: request.t("reports_title")),
                               reports: rows.map { Self.row($0, request: request, href: PortalRoute.report.path($0.id)) })
        return try await request.view.render("portal/reports", page)
    }

    static func row(_ report: MonthlyReportRow, request: Request, href: String) -> ReportRow {
        ReportRow(id: report.id, month: report.month, customer: report.customerName, caseCount: report.caseCount,
                  size: PortalCaseController.formatSize(report.byteSize, language: request.language), href: href)
    }

    func download(request: Request) async throws -> Response {
        let customers = MonthlyReportAccess.customerIds(for: try request.requirePortal().viewer)
        guard let raw = request.parameters.get("id"), raw.count <= 12, let id = Int(raw),
              let report = try await MonthlyReports(database: request.database).find(id: id, customerIds: customers)
        else { throw Abort(.notFound) }
        return try await Self.serve(report, request: request)
    }

    /// The stored PDF as an attachment named for the customer and month.
    static func serve(_ report: MonthlyReportRow, request: Request) async throws -> Response {
        let response = try await FileResponses.stream(report.storageKey, request: request)
        response.headers.replaceOrAdd(name: .contentType, value: "application/pdf")
        let name = "\(request.t("monthly_report_file_prefix"))-\(report.customerName)-\(report.month).pdf"
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(CaseReportController.asciiFilename(name))\"; filename*=UTF-8''\(CaseReportController.percentEncoded(name))")
        return response
    }
}

/// B12 in the back office, one customer's page: switch reports on or off (and whether an empty month is
/// mailed), the reports kept, and "make now" for a month that is over — new, or again over the kept one.
struct StaffMonthlyReportsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.customerReports, use: page)
        routes.on(StaffRoute.customerReportsSubmit, use: save)
        routes.on(StaffRoute.customerReportMake, use: make)
        routes.on(StaffRoute.customerReport, use: download)
    }

    struct SettingsForm: PostedForm, Encodable {
        var on = false, mailWhenEmpty = false
        enum CodingKeys: String, CodingKey { case on, mailWhenEmpty = "mail_when_empty" }
        init() {}
    }

    struct MakeForm: PostedForm {
        var month = ""
        enum CodingKeys: String, CodingKey { case month }
    }

    struct ReportsPage: Encodable {
        var layout: Layout
        var customerName: String
        var backLink: String
        var settingsAction: String
        var makeAction: String
        var on: Bool
        var mailWhenEmpty: Bool
        var months: [SelectOption]
        var monthError: String?
        var notice: String?
        var reports: [PortalMonthlyReportsController.ReportRow]
    }

    func customer(_ request: Request) async throws -> CustomerRecord {
        guard let raw = request.parameters.get("id"), raw.count <= 12, let id = Int(raw),
              let customer = try await CustomerRecord.find(id, on: request.database) else { throw Abort(.notFound) }
        return customer
    }

    func page(request: Request) async throws -> View {
        try await render(request, customer: try await customer(request), monthError: nil)
    }

    func render(_ request: Request, customer: CustomerRecord, monthError: String?, chosenMonth: String? = nil) async throws -> View {
        _ = try request.requireStaff()
        let id = try customer.requireID()
        let reports = MonthlyReports(database: request.database)
        let subscription = try await reports.subscription(customerId: id)
        let rows = try await reports.list(customerIds: [id])
        // The twelve months before this one, newest first.
        var month = ReportMonth.previous(to: Date())
        var months: [SelectOption] = []
        for _ in 0..<12 {
            months.append(SelectOption(value: month.text, name: month.text, selected: month.text == chosenMonth))
            month = ReportMonth.previous(to: month.start)
        }
        let page = ReportsPage(
            layout: Layout(request, title: request.t("monthly_reports_staff_title"), area: "staff"),
            customerName: customer.name, backLink: StaffRoute.customer.path(id),
            settingsAction: StaffRoute.customerReportsSubmit.path(id), makeAction: StaffRoute.customerReportMake.path(id),
            on: subscription != nil, mailWhenEmpty: subscription ?? true, months: months, monthError: monthError,
            notice: request.notice([.saved, .created], prefix: "monthly_reports_notice_"),
            reports: rows.map { PortalMonthlyReportsController.row($0, request: request, href: StaffRoute.customerReport.path(id, $0.id)) })
        return try await request.view.render("staff/customer-reports", page)
    }

    func save(request: Request) async throws -> Response {
        let customer = try await customer(request)
        let form = try request.form(SettingsForm.self)
        _ = try await MonthlyReportSettings.run(.init(customerId: try customer.requireID(), on: form.on, mailWhenEmpty: form.mailWhenEmpty),
                                                by: try request.staffMember(), in: request.operations)
        return request.redirect(to: StaffRoute.customerReports, try customer.requireID(), notice: .saved)
    }

    func make(request: Request) async throws -> Response {
        let customer = try await customer(request)
        let form = try request.form(MakeForm.self)
        let outcome = try await RegenerateMonthlyReport.run(customerId: try customer.requireID(), month: form.month,
                                                            render: request.monthlyReportPDF.renderer, storage: request.caseport.storage,
                                                            by: try request.staffMember(), in: request.operations)
        switch outcome {
        case .done:
            return request.redirect(to: StaffRoute.customerReports, try customer.requireID(), notice: .created)
        case .problems(let problems):
            let view = try await render(request, customer: customer, monthError: request.texts(problems)["month"], chosenMonth: form.month)
            return try await view.encodeResponse(status: .unprocessableEntity, for: request)
        }
    }

    func download(request: Request) async throws -> Response {
        let customer = try await customer(request)
        guard let raw = request.parameters.get("reportId"), raw.count <= 12, let id = Int(raw),
              let report = try await MonthlyReports(database: request.database).find(id: id, customerIds: [try customer.requireID()])
        else { throw Abort(.notFound) }
        return try await PortalMonthlyReportsController.serve(report, request: request)
    }
}

extension Request {
    var monthlyReportPDF: MonthlyReportPDF {
        MonthlyReportPDF(database: database, storage: caseport.storage, translations: caseport.translations,
                         fontsDirectory: URL(fileURLWithPath: application.directory.resourcesDirectory).appendingPathComponent("Fonts"),
                         companyName: caseport.config.delivery.companyName)
    }
}
