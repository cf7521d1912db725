import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// E3: staff put a case on legal hold (with a reason) or release it. A held case is never touched by a
/// retention run. One `legal_hold_changed` audit line, in the transaction of the change.
public enum SetLegalHold {
    public struct Input: Sendable {
        /// The case number as typed.
        public var caseNumber: String
        public var reason: String
        public init(caseNumber: String, reason: String) {
            self.caseNumber = caseNumber
            self.reason = reason
        }
    }

    public enum Field: String, Hashable, Sendable {
        case caseNumber = "case_number", reason
    }

    public static let reasonLimit = 500

    /// Returns the case number held.
    public static func hold(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        var problems = Problems<Field>()
        let reason = input.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if reason.isEmpty { problems.add(.reason, ProblemKey.required) }
        if reason.count > reasonLimit { problems.add(.reason, ProblemKey.tooLong) }
        let number = Int(input.caseNumber.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "#")))
        var record: CaseRecord?
        if let number { record = try await CaseRecord.query(on: context.database).filter(\.$number == number).first() }
        if record == nil { problems.add(.caseNumber, input.caseNumber.isEmpty ? ProblemKey.required : "legal_hold_no_such_case") }
        guard problems.isEmpty, let record else { return .problems(problems) }
        let now = context.now
        try await context.database.transaction { tx in
            record.legalHoldReason = reason
            record.legalHoldBy = actor.name
            record.legalHoldAt = now.timeIntervalSince1970
            try await record.update(on: tx)
            try await context.audit(.legalHoldChanged, by: actor.auditActor, subject: "case \(record.number)",
                                    details: "hold: \(reason)", on: tx)
        }
        return .done(record.number)
    }

    public static func release(caseNumber: Int, by actor: StaffActor, in context: OperationContext) async throws {
        guard let record = try await CaseRecord.query(on: context.database).filter(\.$number == caseNumber).first() else {
            throw OperationError.notFound
        }
        guard record.legalHoldAt != nil else { throw OperationError.alreadyDone }
        try await context.database.transaction { tx in
            let reason = record.legalHoldReason ?? ""
            record.legalHoldReason = nil
            record.legalHoldBy = nil
            record.legalHoldAt = nil
            try await record.update(on: tx)
            try await context.audit(.legalHoldChanged, by: actor.auditActor, subject: "case \(record.number)",
                                    details: "released (was: \(reason))", on: tx)
        }
    }
}
