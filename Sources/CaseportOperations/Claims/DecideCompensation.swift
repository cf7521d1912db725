import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// D3 (seed 002 "Erstatningsbeslutning"): staff record the compensation decision, positive or
/// negative, after confirming it. The event says which (staff read it); the customer's feed says only
/// that a decision was made. The first positive decision is `ClaimMoment.positiveDecision`, kept
/// even if the decision is changed later.
public enum DecideCompensation {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var expectedVersion: Int
        public var decision: String
        public var confirmed: Bool
        public init(caseNumber: Int, expectedVersion: Int, decision: String, confirmed: Bool) {
            self.caseNumber = caseNumber
            self.expectedVersion = expectedVersion
            self.decision = decision
            self.confirmed = confirmed
        }
    }

    public enum Field: String, Hashable, Sendable { case decision, confirm = "decision_confirm" }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        let (record, details) = try await ClaimSupport.claim(number: input.caseNumber, in: context)
        let caseId = try record.requireID()
        var problems = Problems<Field>()
        let decision = CompensationDecision(rawValue: input.decision)
        if decision == nil { problems.add(.decision, input.decision.isEmpty ? ProblemKey.required : ProblemKey.chooseFromList) }
        if !input.confirmed { problems.add(.confirm, "claims_error_confirm") }
        guard problems.isEmpty, let decision else { return .problems(problems) }
        if details.decision == decision.rawValue { throw OperationError.alreadyDone }
        let now = context.now, by = actor.eventActor
        try await ClaimSupport.onVersion(caseId: caseId, expectedVersion: input.expectedVersion, in: context) { tx in
            guard let details = try await ClaimDetailsRecord.find(caseId, on: tx) else { throw OperationError.notFound }
            details.decision = decision.rawValue
            details.decisionAt = now
            if decision == .positive, details.positiveDecisionAt == nil { details.positiveDecisionAt = now }
            try await details.update(on: tx)
            try await CaseEvents.append(.compensationDecided(decision), caseId: caseId, by: by, at: now, on: tx)
        }
        return .done(record.number)
    }
}
