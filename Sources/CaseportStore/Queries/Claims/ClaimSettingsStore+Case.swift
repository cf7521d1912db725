import CaseportCore
import FluentKit
import Foundation

extension ClaimSettingsStore {
    /// Writes a claim's own level (`claim_details.page_settings`); false when the case is not a claim.
    /// An emptied level stores nothing (every setting as the customer's and the deployment's).
    @discardableResult
    public func saveCaseOverride(_ caseId: Int, _ overrides: ClaimPageOverrides) async throws -> Bool {
        guard let details = try await ClaimDetailsRecord.find(caseId, on: database) else { return false }
        details.pageSettings = try Self.encode(overrides)
        try await details.update(on: database)
        return true
    }
}
