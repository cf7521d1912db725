import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// B8: an administrator adds or edits a price-list article. A new price applies to rows booked from
/// now on; rows already booked keep the price they copied. Every change is a `settings_changed` audit
/// line ("price: 450.00 → 495.00").
public enum SaveArticle {
    public struct Input: Sendable {
        /// nil adds a new article.
        public var articleId: Int?
        public var code: String
        public var name: String
        public var unit: String
        /// An `ArticleType` raw value.
        public var type: String
        /// As typed: "495", "1 234,50".
        public var price: String
        /// Percent as typed: "25", "12,5".
        public var vatRate: String
        public var isActive: Bool

        public init(articleId: Int?, code: String, name: String, unit: String, type: String, price: String, vatRate: String,
                    isActive: Bool = true) {
            self.articleId = articleId
            self.code = code
            self.name = name
            self.unit = unit
            self.type = type
            self.price = price
            self.vatRate = vatRate
            self.isActive = isActive
        }
    }

    public enum Field: String, Hashable, Sendable {
        case code, name, unit, type = "article_type", price, vatRate = "vat_rate"
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        try actor.requireAdmin()
        let db = context.database
        var target: ArticleRecord?
        if let id = input.articleId {
            guard let found = try await ArticleRecord.find(id, on: db) else { throw OperationError.notFound }
            target = found
        }
        let code = input.code.trimmed, name = input.name.trimmed, unit = input.unit.trimmed
        var problems = Problems<Field>()
        MoneyText.check(code, limit: 40, field: .code, into: &problems)
        MoneyText.check(name, limit: InputLimits.name, field: .name, into: &problems)
        MoneyText.check(unit, limit: 20, field: .unit, into: &problems)
        let type = ArticleType(rawValue: input.type)
        if type == nil { problems.add(.type, ProblemKey.chooseFromList) }
        let price = Money.parse(input.price)
        if input.price.trimmed.isEmpty { problems.add(.price, ProblemKey.required) }
        else if price == nil || price!.minor < 0 { problems.add(.price, "money_error_amount") }
        let rate = VATRate.parse(input.vatRate)
        if input.vatRate.trimmed.isEmpty { problems.add(.vatRate, ProblemKey.required) }
        else if rate == nil { problems.add(.vatRate, "money_error_vat_rate") }
        if problems[.code] == nil, let clash = try await ArticleRecord.query(on: db).filter(\.$code == code).first(),
           clash.id != target?.id {
            problems.add(.code, "price_list_error_code_taken")
        }
        guard problems.isEmpty, let type, let price, let rate else { return .problems(problems) }

        let record = target ?? ArticleRecord()
        var changes: [SettingsChange] = []
        func note(_ field: String, _ before: String?, _ after: String) {
            if before != after { changes.append(SettingsChange(field: field, before: before ?? "–", after: after)) }
        }
        note("code", target?.code, code)
        note("name", target?.name, name)
        note("unit", target?.unit, unit)
        note("type", target?.articleType, type.rawValue)
        note("price", target?.unitPrice.plain, price.plain)
        note("vat", target?.vatRate.plain, rate.plain)
        note("active", target.map { String($0.isActive) }, String(target == nil ? true : input.isActive))
        record.code = code
        record.name = name
        record.unit = unit
        record.articleType = type.rawValue
        record.unitPriceMinor = price.minor
        record.vatRateBasisPoints = rate.basisPoints
        record.isActive = target == nil ? true : input.isActive
        record.updatedUnix = Int(context.now.timeIntervalSince1970)
        guard !changes.isEmpty else { return .done(try record.requireID()) }
        let noted = changes
        do {
            try await db.transaction { tx in
                try await record.save(on: tx)
                try await context.auditSettings(noted, subject: "article \(code)", by: actor, on: tx)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw OperationError.stale
        }
        return .done(try record.requireID())
    }
}

/// B8/B11: an administrator adds or edits an action code (what was done; rows carry it).
public enum SaveActionCode {
    public struct Input: Sendable {
        public var actionCodeId: Int?
        public var code: String
        public var name: String
        public var isActive: Bool
        public init(actionCodeId: Int?, code: String, name: String, isActive: Bool = true) {
            self.actionCodeId = actionCodeId
            self.code = code
            self.name = name
            self.isActive = isActive
        }
    }

    public enum Field: String, Hashable, Sendable { case code = "action_code", name = "action_name" }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        try actor.requireAdmin()
        let db = context.database
        var target: ActionCodeRecord?
        if let id = input.actionCodeId {
            guard let found = try await ActionCodeRecord.find(id, on: db) else { throw OperationError.notFound }
            target = found
        }
        let code = input.code.trimmed, name = input.name.trimmed
        var problems = Problems<Field>()
        MoneyText.check(code, limit: 40, field: .code, into: &problems)
        MoneyText.check(name, limit: InputLimits.name, field: .name, into: &problems)
        if problems[.code] == nil, let clash = try await ActionCodeRecord.query(on: db).filter(\.$code == code).first(),
           clash.id != target?.id {
            problems.add(.code, "price_list_error_code_taken")
        }
        guard problems.isEmpty else { return .problems(problems) }
        let record = target ?? ActionCodeRecord()
        let changes = [SettingsChange(field: "code", before: target?.code ?? "–", after: code),
                       SettingsChange(field: "name", before: target?.name ?? "–", after: name),
                       SettingsChange(field: "active", before: target.map { String($0.isActive) } ?? "–",
                                      after: String(target == nil ? true : input.isActive))]
        record.code = code
        record.name = name
        record.isActive = target == nil ? true : input.isActive
        do {
            try await db.transaction { tx in
                try await record.save(on: tx)
                try await context.auditSettings(changes, subject: "action code \(code)", by: actor, on: tx)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw OperationError.stale
        }
        return .done(try record.requireID())
    }
}

/// B8: which columns the portal's "Actions" table shows, in `ActionColumn`'s order. At least one.
public enum SaveActionColumns {
    public enum Field: String, Hashable, Sendable { case columns = "action_columns" }

    public static func run(_ columns: Set<ActionColumn>, by actor: StaffActor, in context: OperationContext) async throws
        -> Outcome<Int, Field> {
        try actor.requireAdmin()
        guard !columns.isEmpty else {
            var problems = Problems<Field>()
            problems.add(.columns, "price_list_error_no_columns")
            return .problems(problems)
        }
        var settings = try await SettingsStore(database: context.database).load()
        let before = settings.actionColumns
        let after = ActionColumn.allCases.filter(columns.contains)
        guard before != after else { return .done(0) }
        settings.actionColumns = after
        try await context.save(settings, changes: [SettingsChange(field: "action columns",
                                                                  before: before.map(\.rawValue).joined(separator: ", "),
                                                                  after: after.map(\.rawValue).joined(separator: ", "))],
                               subject: "settings", by: actor)
        return .done(1)
    }
}

enum MoneyText {
    static func check<F>(_ text: String, limit: Int, field: F, into problems: inout Problems<F>) {
        if text.isEmpty { problems.add(field, ProblemKey.required) }
        else if text.count > limit { problems.add(field, ProblemKey.tooLong) }
    }

    /// A real day as yyyy-mm-dd (the web turns the reader's own form into it), or nil. Empty is the caller's.
    static func day(_ text: String) -> String? {
        Language.sv.parseDay(text)
    }

    /// Today as yyyy-mm-dd in the server's time zone.
    static func today(_ now: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }
}
