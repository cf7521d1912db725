import CaseportCore
import FluentKit
import Foundation

/// Reads and writes the retention policy (E3): one JSON row `retention` in the `settings` table, beside
/// (not inside) `PortalSettings`, so the portal settings page and this one never overwrite each other.
public struct RetentionSettingsStore: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    static let key = "retention"

    public func load() async throws -> RetentionPolicy {
        guard let row = try await SettingRecord.find(Self.key, on: database) else { return .keepEverything }
        return (try? JSONDecoder().decode(RetentionPolicy.self, from: Data(row.value.utf8))) ?? .keepEverything
    }

    public func save(_ policy: RetentionPolicy) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let value = String(decoding: try encoder.encode(policy), as: UTF8.self)
        if let row = try await SettingRecord.find(Self.key, on: database) {
            row.value = value
            try await row.update(on: database)
        } else {
            try await SettingRecord(key: Self.key, value: value).create(on: database)
        }
    }
}

/// E3: the cases on legal hold, for the back office's retention page.
public enum LegalHolds {
    public struct Held: Sendable, Encodable {
        public var caseId: Int
        public var number: Int
        public var subject: String
        public var reason: String
        public var by: String
        public var at: Date
    }

    public static func list(limit: Int = 200, on database: any Database) async throws -> [Held] {
        try await CaseRecord.query(on: database).filter(\.$legalHoldAt != nil).sort(\.$number).limit(limit).all().map {
            Held(caseId: $0.id!, number: $0.number, subject: $0.subject, reason: $0.legalHoldReason ?? "",
                 by: $0.legalHoldBy ?? "", at: Date(timeIntervalSince1970: $0.legalHoldAt ?? 0))
        }
    }
}
