import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// What the claim operations share: finding the case and its claim, the text checks of their forms,
/// and running a change on the version the page showed.
enum ClaimSupport {
    /// The case (staff see every case) and its claim details; a case that is not a claim yet is
    /// `OperationError.notAllowedNow`.
    static func claim(number: Int, in context: OperationContext) async throws -> (CaseRecord, ClaimDetailsRecord) {
        let record = try await StaffCaseLookup.find(number: number, in: context)
        guard let details = try await ClaimDetailsRecord.find(try record.requireID(), on: context.database) else {
            throw OperationError.notAllowedNow
        }
        return (record, details)
    }

    /// Trimmed text; nil when empty.
    static func optional(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    static func checkText<F>(_ text: String?, limit: Int, field: F, into problems: inout Problems<F>) {
        if let text, text.count > limit { problems.add(field, ProblemKey.tooLong) }
    }

    static func checkPhone<F>(_ text: String?, field: F, into problems: inout Problems<F>) {
        if let text, !ClaimPhone.isValid(text) { problems.add(field, "claims_error_phone") }
    }

    static func checkTime<F>(_ time: TypedTime, field: F, into problems: inout Problems<F>) {
        if time == .invalid { problems.add(field, "claims_error_time") }
    }

    /// An active supplier (an office), or a problem.
    static func office<F>(_ chosen: ChosenId, field: F, into problems: inout Problems<F>, on database: any Database)
        async throws -> SupplierRecord? {
        switch chosen {
        case .none: return nil
        case .invalid:
            problems.add(field, ProblemKey.chooseFromList)
            return nil
        case .id(let id):
            guard let supplier = try await SupplierRecord.find(id, on: database), supplier.isActive else {
                problems.add(field, ProblemKey.chooseFromList)
                return nil
            }
            return supplier
        }
    }

    /// Runs `change` in one transaction after moving the case from `expectedVersion` to the next
    /// version; someone else's save in between is `OperationError.stale` and nothing is written.
    static func onVersion<T: Sendable>(caseId: Int, expectedVersion: Int, in context: OperationContext,
                                       _ change: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        do {
            return try await context.database.transaction { tx in
                try await ClaimBackOffice.claimVersion(caseId: caseId, expectedVersion: expectedVersion, at: context.now, on: tx)
                return try await change(tx)
            }
        } catch ClaimVersionError.stale {
            throw OperationError.stale
        }
    }

    /// The first inspection is assigned (a `ClaimMoment`): kept from the first time it happened.
    static func markFirstInspection(_ details: ClaimDetailsRecord, at now: Date) {
        if details.firstInspectionAt == nil { details.firstInspectionAt = now }
    }
}

/// Issue 13: the handler's mobile on the staff account forms — empty is none; anything else must be a
/// phone number (`ClaimPhone`).
enum ClaimPhoneCheck {
    static func mobile(_ typed: String, into problems: inout Problems<StaffAccountField>) -> String? {
        let mobile = ClaimSupport.optional(typed)
        if let mobile, !ClaimPhone.isValid(mobile) { problems.add(.mobile, "claims_error_phone") }
        return mobile
    }
}
