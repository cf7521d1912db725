import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// The customer page's settings at their three levels (issue 13, C7): the deployment's in the
/// `settings` table under "claim_page", a customer's in `customers.claim_page_settings`, a case's in
/// `claim_details.page_settings`. Unreadable stored JSON counts as "nothing chosen at that level".
public struct ClaimSettingsStore: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    static let deploymentKey = "claim_page"

    public func deployment() async throws -> ClaimPageSettings {
        guard let row = try await SettingRecord.find(Self.deploymentKey, on: database) else { return ClaimPageSettings() }
        return (try? JSONDecoder().decode(ClaimPageSettings.self, from: Data(row.value.utf8))) ?? ClaimPageSettings()
    }

    public func saveDeployment(_ settings: ClaimPageSettings) async throws {
        let value = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        if let row = try await SettingRecord.find(Self.deploymentKey, on: database) {
            row.value = value
            try await row.update(on: database)
        } else {
            try await SettingRecord(key: Self.deploymentKey, value: value).create(on: database)
        }
    }

    public func customer(_ customerId: Int) async throws -> ClaimPageOverrides {
        Self.decode(try await CustomerRecord.find(customerId, on: database)?.claimPageSettings)
    }

    public func saveCustomer(_ customerId: Int, _ overrides: ClaimPageOverrides) async throws {
        guard let record = try await CustomerRecord.find(customerId, on: database) else { return }
        record.claimPageSettings = try Self.encode(overrides)
        try await record.update(on: database)
    }

    /// The case's own level; nothing when the case is not a claim.
    public func caseOverride(_ caseId: Int) async throws -> ClaimPageOverrides {
        Self.decode(try await ClaimDetailsRecord.find(caseId, on: database)?.pageSettings)
    }

    /// All three levels for a case: its own, its customer's (when it has one) and the deployment's.
    /// One query: every customer-page request and link opening asks for these.
    public func levels(caseId: Int) async throws -> ClaimPageLevels {
        struct Row: Decodable {
            var deployment: String?
            var customer_level: String?
            var case_level: String?
        }
        let row = try await database.requireSQL().raw("""
            SELECT (SELECT value FROM settings WHERE id = \(bind: Self.deploymentKey)) AS deployment,
                   (SELECT u.claim_page_settings FROM cases c JOIN customers u ON u.id = c.customer_id
                     WHERE c.id = \(bind: caseId)) AS customer_level,
                   (SELECT page_settings FROM claim_details WHERE case_id = \(bind: caseId)) AS case_level
            """).first(decoding: Row.self)
        let deployment = row?.deployment.flatMap { try? JSONDecoder().decode(ClaimPageSettings.self, from: Data($0.utf8)) }
        return ClaimPageLevels(deployment: deployment ?? ClaimPageSettings(), customer: Self.decode(row?.customer_level),
                               caseOverride: Self.decode(row?.case_level))
    }

    /// Which moments the case has reached.
    public func progress(caseId: Int) async throws -> ClaimProgress {
        guard let details = try await ClaimDetailsRecord.find(caseId, on: database) else { return ClaimProgress(isClaim: false) }
        return ClaimProgress(isClaim: true, firstInspectionAt: details.firstInspectionAt,
                             positiveDecisionAt: details.positiveDecisionAt)
    }

    /// Nil when nothing is chosen, so an emptied level stores nothing.
    static func encode(_ overrides: ClaimPageOverrides) throws -> String? {
        overrides == ClaimPageOverrides() ? nil : String(decoding: try JSONEncoder().encode(overrides), as: UTF8.self)
    }

    static func decode(_ text: String?) -> ClaimPageOverrides {
        guard let text, let decoded = try? JSONDecoder().decode(ClaimPageOverrides.self, from: Data(text.utf8)) else {
            return ClaimPageOverrides()
        }
        return decoded
    }
}
