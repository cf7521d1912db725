import CaseportCore
import CaseportPDF
import CaseportStore
import Foundation
import Vapor

/// The case report as a PDF (SPEC E2; the PDF icon on the case page, B5), in the reader's language.
/// The portal finds the case through `VisibleCases` exactly like the case page, so another customer's
/// case is the same 404; staff reach every case, as on their case page. Both get the same report:
/// details, description, the customer-visible messages (never internal notes) and the files.
struct CaseReportController: RouteCollection {
    enum Realm { case portal, staff }
    /// Which side's route this instance registers (each inside its own guarded route group).
    let realm: Realm

    func boot(routes: any RoutesBuilder) throws {
        switch realm {
        case .portal: routes.on(PortalRoute.caseReport, use: portal)
        case .staff: routes.on(StaffRoute.caseReport, use: staff)
        }
    }

    func portal(request: Request) async throws -> Response {
        let principal = try request.requirePortal()
        guard let raw = request.parameters.get("number"), raw.count <= 12, let number = Int(raw),
              let detail = try await VisibleCases(database: request.database).find(number: number, for: principal.visibility)
        else { throw Abort(.notFound) }
        return try await respond(request, detail: detail)
    }

    func staff(request: Request) async throws -> Response {
        _ = try request.requireStaff()
        guard let raw = request.parameters.get("number"), raw.count <= 12, let number = Int(raw),
              let detail = try await StaffCases(database: request.database).detail(number: number)
        else { throw Abort(.notFound) }
        return try await respond(request, detail: detail)
    }

    func respond(_ request: Request, detail: CaseDetail) async throws -> Response {
        let bytes = try await Self.render(request, detail: detail)
        let response = Response(status: .ok, body: .init(data: Data(bytes)))
        response.headers.replaceOrAdd(name: .contentType, value: "application/pdf")
        let name = "\(request.t("report_file_prefix"))-\(detail.number).pdf"
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(Self.asciiFilename(name))\"; filename*=UTF-8''\(Self.percentEncoded(name))")
        return response
    }

    /// The PDF file (also what `caseport-bench report` times, through `BenchmarkAccess`).
    static func render(_ request: Request, detail: CaseDetail) async throws -> [UInt8] {
        let report = try await report(request, detail: detail)
        let fonts = try ReportFontCache.shared.fonts(in: URL(fileURLWithPath: request.application.directory.resourcesDirectory)
            .appendingPathComponent("Fonts"))
        return report.render(fonts: fonts)
    }

    /// Everything the report shows, as text in the reader's language.
    static func report(_ request: Request, detail: CaseDetail) async throws -> CaseReport {
        let language = request.language
        let conversation = CaseConversation(database: request.database)
        // All customer-visible messages, oldest first (the report reads as the case's story).
        let messages = try await conversation.publicMessages(caseId: detail.id, limit: 1_000_000).reversed()
        let files = try await VisibleFiles(database: request.database).caseFiles(caseId: detail.id).reversed()
        let fields = try await conversation.fieldValues(caseId: detail.id)
        let settings = try await SettingsStore(database: request.database).load()

        var details: [(label: String, value: String)] = [
            (request.t("case_status"), request.t(detail.status.labelKey)),
            (request.t("case_created"), "\(language.formatDateTime(detail.createdAt)) · \(detail.createdByName)"),
            (request.t("case_updated"), language.formatDateTime(detail.updatedAt)),
            (request.t("case_type"), detail.caseTypeName ?? ""),
            (request.t("case_customer"), detail.customerName ?? ""),
            (request.t("case_object"), [detail.objectName, detail.objectAddress].compactMap { $0 }.joined(separator: ", ")),
            (request.t("new_case_work_site_address"), detail.workSiteAddress ?? ""),
            (request.t("new_case_reference_name"), detail.referenceName ?? ""),
            (request.t("case_category"), detail.categoryName ?? ""),
            (request.t("case_priority"), detail.priorityName ?? ""),
        ]
        details += fields.map { ($0.label, PortalCaseController.display($0.value, language: request)) }

        var logo: [UInt8]?
        if let key = settings.branding.logoKey, let type = settings.branding.logoType, ["image/png", "image/jpeg"].contains(type) {
            // A logo that cannot be read leaves the report without it rather than without a report.
            logo = try? await request.caseport.storage.open(key: key).collect()
        }

        let template = request.t("report_page_of")
        let printed = request.t("report_printed").replacingOccurrences(of: "{date}", with: language.formatDateTime(Date()))
        return CaseReport(
            title: "\(request.t("case_number_short")) \(detail.number) – \(detail.subject)",
            details: details,
            descriptionHeading: request.t("case_description"), description: detail.description,
            messagesHeading: request.t("messages_title"), noMessages: request.t("messages_empty"),
            messages: messages.map { message in
                CaseReport.Message(author: message.authorKind == .system ? request.t("message_system_author") : message.authorName,
                                   date: language.formatDateTime(message.createdAt), body: message.body)
            },
            files: CaseReport.Table(
                heading: request.t("files_case_title"),
                columns: [.init(request.t("file_name"), fraction: 0.46), .init(request.t("file_size"), fraction: 0.12, alignRight: true),
                          .init(request.t("report_file_uploader"), fraction: 0.22), .init(request.t("file_added"), fraction: 0.2)],
                rows: files.map { file in
                    [file.originalName, PortalCaseController.formatSize(file.byteSize, language: language), file.uploaderName,
                     language.formatDateTime(file.createdAt)]
                }),
            noFiles: request.t("files_empty"),
            // Issue 14 point 1: the case's booked rows, in the columns customers see under "Actions", and a total.
            articleRows: try await MoneyReport.articleRows(request, caseId: detail.id, settings: settings),
            footer: "\(request.caseport.config.delivery.companyName) · \(printed)",
            pageLabel: { page, pages in
                template.replacingOccurrences(of: "{page}", with: String(page)).replacingOccurrences(of: "{pages}", with: String(pages))
            },
            logo: logo)
    }

    /// The filename for clients that do not read `filename*`: ASCII letters, digits, '-', '_' and '.'.
    static func asciiFilename(_ name: String) -> String {
        String(name.unicodeScalars.map { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) ? Character($0) : "_" })
    }

    static func percentEncoded(_ name: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-_.")
        return name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "report.pdf"
    }
}

/// The report fonts, read from disk once per process (1.5 MB, parsed in a few milliseconds).
final class ReportFontCache: @unchecked Sendable {
    static let shared = ReportFontCache()
    private let lock = NSLock()
    private var loaded: [String: ReportFonts] = [:]

    func fonts(in directory: URL) throws -> ReportFonts {
        lock.lock()
        defer { lock.unlock() }
        if let fonts = loaded[directory.path] { return fonts }
        let fonts = try ReportFonts(directory: directory)
        loaded[directory.path] = fonts
        return fonts
    }
}
