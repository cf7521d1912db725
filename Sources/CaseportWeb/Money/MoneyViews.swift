import CaseportCore
import CaseportStore
import Vapor

/// How money rows look on pages and in the case report: one cell per chosen column, amounts as the
/// reader's language writes them (`Money.formatted`), numbers right-aligned.
enum MoneyViews {
    struct Cell: Encodable {
        var text: String
        var numeric: Bool
        /// Dates and amounts stay on one line ("2026-12-02" must not break at its hyphen).
        var nowrap = false
    }

    struct Header: Encodable {
        var label: String
        var numeric: Bool
    }

    struct Row: Encodable {
        var id: Int
        var cells: [Cell]
    }

    /// What a row shows, whether it is booked or a specification's frozen copy.
    struct Shown {
        var bookedOn: String
        var actionCode: String?
        var articleCode: String
        var articleName: String
        var articleType: String
        var unit: String
        var quantity: Quantity
        var unitPrice: Money
        var vatRate: VATRate
        var amounts: RowAmounts
        var workOrderId: Int?
        var note: String?
        var caseNumber: Int?

        init(_ row: ArticleRowRecord) {
            bookedOn = row.bookedOn
            actionCode = row.actionCode
            articleCode = row.articleCode
            articleName = row.articleName
            articleType = row.articleType
            unit = row.unit
            quantity = row.quantity
            unitPrice = row.unitPrice
            vatRate = row.vatRate
            amounts = row.amounts
            workOrderId = row.workOrderId
            note = row.note
        }

        init(_ row: SpecificationRowRecord) {
            bookedOn = row.bookedOn
            actionCode = row.actionCode
            articleCode = row.articleCode
            articleName = row.articleName
            articleType = row.articleType
            unit = row.unit
            quantity = row.quantity
            unitPrice = row.unitPrice
            vatRate = row.vatRate
            amounts = row.amounts
            workOrderId = row.workOrderId
            note = row.note
            caseNumber = row.caseNumber
        }
    }

    static func isNumeric(_ column: ActionColumn) -> Bool {
        switch column {
        case .quantity, .unitPrice, .vatRate, .net, .vat, .gross: return true
        default: return false
        }
    }

    static func headers(_ columns: [ActionColumn], request: Request) -> [Header] {
        columns.map { Header(label: request.t($0.labelKey), numeric: isNumeric($0)) }
    }

    static func cell(_ column: ActionColumn, _ row: Shown, request: Request) -> Cell {
        let language = request.language
        let text: String
        switch column {
        case .date: text = language.formatDay(row.bookedOn)
        case .actionCode: text = row.actionCode ?? ""
        case .article: text = "\(row.articleCode) \(row.articleName)"
        case .articleType: text = request.t((ArticleType(rawValue: row.articleType) ?? .other).labelKey)
        case .quantity: text = row.quantity.formatted(language)
        case .unit: text = row.unit
        case .unitPrice: text = row.unitPrice.formatted(language)
        case .vatRate: text = row.vatRate.formatted(language)
        case .net: text = row.amounts.net.formatted(language)
        case .vat: text = row.amounts.vat.formatted(language)
        case .gross: text = row.amounts.gross.formatted(language)
        case .workOrder: text = row.workOrderId.map { "#\($0)" } ?? ""
        case .note: text = row.note ?? ""
        }
        return Cell(text: text, numeric: isNumeric(column), nowrap: column == .date)
    }

    static func cells(_ columns: [ActionColumn], _ row: Shown, request: Request) -> [Cell] {
        columns.map { cell($0, row, request: request) }
    }

    /// The totals line under a table: the label in the first column, the sums under net, VAT and gross.
    static func totals(_ columns: [ActionColumn], _ totals: MoneyTotals, request: Request) -> [Cell] {
        let language = request.language
        return columns.enumerated().map { index, column in
            switch column {
            case .net: return Cell(text: totals.net.formatted(language), numeric: true)
            case .vat: return Cell(text: totals.vat.formatted(language), numeric: true)
            case .gross: return Cell(text: totals.gross.formatted(language), numeric: true)
            default: return Cell(text: index == 0 ? request.t("money_total") : "", numeric: false)
            }
        }
    }

    /// The three totals as text, for summaries beside a table.
    struct TotalsView: Encodable {
        var net: String
        var vat: String
        var gross: String
        init(_ totals: MoneyTotals, language: Language) {
            net = totals.net.formatted(language)
            vat = totals.vat.formatted(language)
            gross = totals.gross.formatted(language)
        }
    }

    static func unixDate(_ seconds: Int, request: Request) -> String {
        request.language.formatDateTime(Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
