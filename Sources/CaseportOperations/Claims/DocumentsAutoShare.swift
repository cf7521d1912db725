import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// C4 (seed 002 "Vis besigtigelses rapport" / "Vis kundeopgørelses rapport"): inspection and
/// settlement reports are shared with the customer automatically once the claim reaches the moment
/// its effective settings choose. Runs when such a report is uploaded (the moment may be reached
/// already) and as a job round for moments reached later. Only reports that were never shared are
/// taken: one a staff member stopped sharing stays unshared. Each share is a conditional write, and
/// its `documentShared` event is written only when the row changed, so two servers' rounds at once
/// share each report exactly once.
public enum AutoShareReports {
    /// The categories whose moment the case has reached; none when the case is not a claim.
    static func dueCategories(caseId: Int, on db: any Database) async throws -> Set<CaseDocumentCategory> {
        let store = ClaimSettingsStore(database: db)
        let progress = try await store.progress(caseId: caseId)
        guard progress.isClaim else { return [] }
        let effective = try await store.levels(caseId: caseId).effective
        var due: Set<CaseDocumentCategory> = []
        if progress.hasReached(effective.shareInspectionReport) { due.insert(.inspectionReport) }
        if progress.hasReached(effective.shareSettlementReport) { due.insert(.settlementReport) }
        return due
    }

    /// Shares the case's due reports on `tx` (the caller's transaction); how many this call shared.
    @discardableResult
    static func shareDue(caseId: Int, actor: EventActor, at now: Date, on tx: any Database) async throws -> Int {
        let due = try await dueCategories(caseId: caseId, on: tx)
        guard !due.isEmpty else { return 0 }
        let documents = CaseDocuments(database: tx)
        var shared = 0
        for report in try await documents.unsharedReports(caseId: caseId, categories: due)
        where try await documents.shareAutomatically(fileId: report.fileId, at: now) {
            try await CaseEvents.append(.documentShared(name: report.name), caseId: caseId, by: actor, at: now, on: tx)
            shared += 1
        }
        return shared
    }

    /// The job round: every claim with never-shared reports, one transaction per case. Returns how
    /// many reports this round shared.
    @discardableResult
    public static func run(in context: OperationContext) async throws -> Int {
        let now = context.now
        let actor = EventActor(name: context.notifications.companyName)
        var shared = 0
        for caseId in try await CaseDocuments(database: context.database).casesWithUnsharedReports() {
            shared += try await context.database.transaction { tx in
                try await shareDue(caseId: caseId, actor: actor, at: now, on: tx)
            }
        }
        return shared
    }
}
