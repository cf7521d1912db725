import FluentKit
import Foundation
import SQLKit

/// What the audit log (E5) records. Raw values are stored; add cases, never rename one.
public enum AuditAction: String, Sendable, CaseIterable, Codable {
    case loginSucceeded = "login_succeeded"
    case loginFailed = "login_failed"
    case accountLocked = "account_locked"
    case accountUnlocked = "account_unlocked"
    case logout
    /// A staff account or portal user created, deactivated, reactivated, or its rights changed.
    case accessChanged = "access_changed"
    case roleChanged = "role_changed"
    case settingsChanged = "settings_changed"
    case dataImported = "data_imported"
    case masterDataChanged = "master_data_changed"
    case dataExported = "data_exported"
    /// E4: an API token made or revoked (issue 16).
    case apiTokenCreated = "api_token_created"
    case apiTokenRevoked = "api_token_revoked"
    /// E3: a retention run (dry or real) with its counts, and a case's legal hold set or cleared.
    case retentionRun = "retention_run"
    case legalHoldChanged = "legal_hold_changed"
    /// Issue 13 (A10): a claim's personal link granted (or sent again) or revoked by staff or sent by the
    /// round; opened by its recipient; a wrong security code typed on it.
    case claimLinkGranted = "claim_link_granted"
    case claimLinkRevoked = "claim_link_revoked"
    case claimLinkOpened = "claim_link_opened"
    case claimLinkCodeFailed = "claim_link_code_failed"
}

/// Who acted, for the audit log.
public struct AuditActor: Sendable {
    public let kind: String
    public let id: Int?
    public let name: String
    public init(kind: String, id: Int?, name: String) {
        self.kind = kind
        self.id = id
        self.name = name
    }
    public static func staff(id: Int?, name: String) -> AuditActor { AuditActor(kind: "staff", id: id, name: name) }
    public static func portal(id: Int?, name: String) -> AuditActor { AuditActor(kind: "portal", id: id, name: name) }
    public static func anonymous(typed: String) -> AuditActor { AuditActor(kind: "anonymous", id: nil, name: typed) }
    public static let system = AuditActor(kind: "system", id: nil, name: "system")
}

/// Writes and reads the audit log. Pass the transaction of the change when there is one, so the
/// line is written exactly when the change is.
public struct AuditLog: Sendable {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    public func record(_ action: AuditAction, by actor: AuditActor, subject: String? = nil,
                       details: String? = nil, ip: String? = nil, at: Date = Date()) async throws {
        let row = AuditEventRecord()
        row.at = at
        row.actorKind = actor.kind
        row.actorId = actor.id
        row.actorName = String(actor.name.prefix(200))
        row.action = action.rawValue
        row.subject = subject.map { String($0.prefix(500)) }
        row.details = details.map { String($0.prefix(4000)) }
        row.ip = ip
        try await row.create(on: database)
    }

    public struct Filter: Sendable {
        public var action: AuditAction?
        /// Matches the actor's name or the subject, case-insensitively, as a substring.
        public var text: String?
        public var from: Date?
        public var to: Date?
        public init(action: AuditAction? = nil, text: String? = nil, from: Date? = nil, to: Date? = nil) {
            self.action = action
            self.text = text
            self.from = from
            self.to = to
        }
    }

    /// Newest first, one page, by keyset on id so the last page is as quick as the first.
    public func page(_ filter: Filter, before id: Int? = nil, limit: Int = 50) async throws -> [AuditEventRecord] {
        let sql = try database.requireSQL()
        var query = sql.select().column("*").from(AuditEventRecord.schema)
        if let action = filter.action { query = query.where("action", .equal, SQLBind(action.rawValue)) }
        if let from = filter.from { query = query.where("at", .greaterThanOrEqual, SQLBind(from)) }
        if let to = filter.to { query = query.where("at", .lessThan, SQLBind(to)) }
        if let text = filter.text?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            let pattern = SQLBind("%\(text.lowercased())%")
            query = query.where { group in
                group.where(SQLFunction("lower", args: SQLColumn("actor_name")), .like, pattern)
                    .orWhere(SQLFunction("lower", args: SQLFunction("coalesce", args: SQLColumn("subject"),
                                                                    SQLLiteral.string(""))), .like, pattern)
            }
        }
        if let id { query = query.where("id", .lessThan, SQLBind(id)) }
        return try await query.orderBy("id", .descending).limit(limit).all(decodingFluent: AuditEventRecord.self)
    }
}

extension AuditLog {
    /// What replaces a redacted actor name, subject or details (E3); M029's trigger allows only this change.
    public static let redactedText = "[removed]"

    /// E3: every line whose actor name, subject or details contains `text` (case-insensitively) loses
    /// that field — the line, its action and time stay, so the log still shows that something happened.
    public func redact(containing text: String) async throws {
        let sql = try database.requireSQL()
        let position = sql.dialect.name == "sqlite" ? "instr" : "strpos"
        // SQLite's lower() folds ASCII only, so the text is looked for as typed and lower-cased.
        func contains(_ column: String) -> SQLQueryString {
            "(\(unsafeRaw: position)(lower(\(unsafeRaw: column)), \(bind: text.lowercased())) > 0 OR \(unsafeRaw: position)(\(unsafeRaw: column), \(bind: text)) > 0)"
        }
        // A line about the person (subject "contact 12 Anna Berg") has their old values in its details.
        try await sql.raw("UPDATE audit_events SET details = \(bind: Self.redactedText) WHERE details IS NOT NULL AND \(contains("subject"))").run()
        for column in ["actor_name", "subject", "details"] {
            try await sql.raw("UPDATE audit_events SET \(unsafeRaw: column) = \(bind: Self.redactedText) WHERE \(contains(column))").run()
        }
    }
}
