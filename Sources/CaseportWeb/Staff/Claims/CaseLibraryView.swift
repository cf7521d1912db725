import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// What the staff case page's document library shows (`CaseLibraryView.html`): one row per document
/// with the seed's columns Type, Title, Made by, Created and the shared marker; the upload form's
/// choices; a message of what just happened (`?docs=`).
struct CaseLibraryView: Encodable {
    struct Row: Encodable {
        var id: Int
        var type: String
        var title: String
        var fileName: String
        var madeBy: String
        var supplier: String?
        var createdAt: String
        var isShared: Bool
        /// A customer's own upload stays shared (it is theirs).
        var canUnshare: Bool
    }

    var rows: [Row]
    var hasUnshared: Bool
    var categories: [SelectOption]
    var suppliers: [SelectOption]
    var notice: String?
    var problem: String?
    var maxUploadMegabytes: Int

    static let notices: Set<String> = ["uploaded", "shared", "unshared", "saved", "deleted", "already"]

    /// `suppliers`: the active suppliers, when the page has read them already (the staff catalogue); `rows`: the
    /// case's library (`CaseDocuments.library`), when the page has read it already.
    static func load(_ request: Request, caseId: Int, suppliers: [StaffCatalogue.Choice]? = nil,
                     rows known: [CaseDocumentRow]? = nil) async throws -> CaseLibraryView {
        let language = request.language
        let rows: [CaseDocumentRow]
        if let known { rows = known } else { rows = try await CaseDocuments(database: request.database).library(caseId: caseId) }
        let said = request.query[String.self, at: "docs"] ?? ""
        let supplierOptions: [SelectOption]
        if let suppliers {
            supplierOptions = StaffClaimDocumentsController.supplierOptions(suppliers, chosen: "")
        } else {
            supplierOptions = try await StaffClaimDocumentsController.supplierOptions(request, chosen: "")
        }
        return CaseLibraryView(
            rows: rows.map {
                Row(id: $0.id, type: request.t("docs_category_\($0.shownCategory.rawValue)"), title: $0.shownTitle,
                    fileName: $0.originalName, madeBy: $0.uploaderName, supplier: $0.supplierName,
                    createdAt: language.formatDateTime($0.createdAt), isShared: $0.isShared,
                    canUnshare: $0.isShared && $0.uploadedByUserId == nil)
            },
            hasUnshared: rows.contains { !$0.isShared },
            categories: StaffClaimDocumentsController.categoryOptions(request, chosen: ""),
            suppliers: supplierOptions,
            notice: notices.contains(said) ? request.t("docs_notice_\(said)") : nil,
            problem: said == "none" ? request.t("docs_error_none_selected") : nil,
            maxUploadMegabytes: UploadReceiver.maximumFileBytes / 1_048_576)
    }
}

/// What the staff case page's budget shows (`CaseBudgetView.html`): the lines with their rounded
/// amounts and the total, formatted in the reader's language.
struct CaseBudgetView: Encodable {
    struct Line: Encodable {
        var id: Int
        var description: String
        var quantity: String
        var unitPrice: String
        var amount: String
    }

    var lines: [Line]
    var total: String
    var notice: String?

    static let notices: Set<String> = ["added", "saved", "removed"]

    /// `hasLines`: false when the page has read already that the case has no lines (then none are read).
    static func load(_ request: Request, caseId: Int, hasLines: Bool = true) async throws -> CaseBudgetView {
        let language = request.language
        let lines = hasLines ? try await BudgetLines(database: request.database).lines(caseId: caseId) : []
        let said = request.query[String.self, at: "budget"] ?? ""
        return CaseBudgetView(
            lines: lines.map {
                Line(id: $0.id!, description: $0.description, quantity: Quantity(milli: $0.quantityMilli).formatted(language),
                     unitPrice: Money(minor: $0.unitPriceMinor).formatted(language),
                     amount: Money(minor: $0.amountMinor).formatted(language))
            },
            total: Money(minor: lines.reduce(0) { $0 + $1.amountMinor }).formatted(language),
            notice: notices.contains(said) ? request.t("budget_notice_\(said)") : nil)
    }
}
