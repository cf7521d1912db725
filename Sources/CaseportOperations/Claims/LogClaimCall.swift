import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// D3 (seed 002 "Opkalds historie"): staff log a call about the claim — who called, whom (name and
/// number), answered or not, and how long. The call history keeps it; the `callLogged` event is what
/// the customer's feed may show.
public enum LogClaimCall {
    public struct Input: Sendable {
        public var caseNumber: Int
        /// Empty: the staff member who logs it.
        public var caller: String
        public var calleeName: String
        public var calleeNumber: String
        public var answered: Bool
        /// "3:25" or minutes; empty is 0.
        public var length: String
        public init(caseNumber: Int, caller: String = "", calleeName: String, calleeNumber: String, answered: Bool, length: String) {
            self.caseNumber = caseNumber
            self.caller = caller
            self.calleeName = calleeName
            self.calleeNumber = calleeNumber
            self.answered = answered
            self.length = length
        }
    }

    public enum Field: String, Hashable, Sendable {
        case caller = "call_caller", calleeName = "call_callee", calleeNumber = "call_number", length = "call_length"
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        let (record, _) = try await ClaimSupport.claim(number: input.caseNumber, in: context)
        let caseId = try record.requireID()
        var problems = Problems<Field>()
        let caller = ClaimSupport.optional(input.caller) ?? actor.name
        ClaimSupport.checkText(caller, limit: InputLimits.name, field: .caller, into: &problems)
        let calleeName = ClaimSupport.optional(input.calleeName)
        if calleeName == nil { problems.add(.calleeName, ProblemKey.required) }
        ClaimSupport.checkText(calleeName, limit: InputLimits.name, field: .calleeName, into: &problems)
        let number = ClaimSupport.optional(input.calleeNumber)
        if number == nil { problems.add(.calleeNumber, ProblemKey.required) }
        ClaimSupport.checkPhone(number, field: .calleeNumber, into: &problems)
        let seconds = CallLength.seconds(input.length)
        if seconds == nil { problems.add(.length, "claims_error_call_length") }
        if !input.answered, let seconds, seconds > 0 { problems.add(.length, "claims_error_call_unanswered_length") }
        guard problems.isEmpty, let calleeName, let number, let seconds else { return .problems(problems) }
        let now = context.now, by = actor.eventActor, staffId = actor.staffId
        try await context.database.transaction { tx in
            let call = ClaimCallRecord()
            call.caseId = caseId
            call.callerName = caller
            call.calleeName = calleeName
            call.calleeNumber = number
            call.answered = input.answered
            call.seconds = seconds
            call.calledAt = now
            call.staffId = staffId
            try await call.create(on: tx)
            try await CaseEvents.append(.callLogged(caller: caller, callee: "\(calleeName) (\(number))", answered: input.answered,
                                                    seconds: seconds),
                                        caseId: caseId, by: by, at: now, on: tx)
        }
        return .done(record.number)
    }
}
