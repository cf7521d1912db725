import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// D3 (seed 002): staff make a case a claim by registering its details — incident time, damage type
/// and whether the policyholder is a private person or a business. The claim's row is what makes the
/// case a claim; a second registration is `OperationError.alreadyDone`.
public enum RegisterClaim {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var expectedVersion: Int
        public var incident: TypedTime
        public var damageType: String
        public var policyholderType: String
        public init(caseNumber: Int, expectedVersion: Int, incident: TypedTime, damageType: String, policyholderType: String) {
            self.caseNumber = caseNumber
            self.expectedVersion = expectedVersion
            self.incident = incident
            self.damageType = damageType
            self.policyholderType = policyholderType
        }
    }

    public enum Field: String, Hashable, Sendable { case incident, damageType = "damage_type", policyholderType = "policyholder_type" }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        let record = try await StaffCaseLookup.find(number: input.caseNumber, in: context)
        let caseId = try record.requireID()
        if try await ClaimDetailsRecord.find(caseId, on: context.database) != nil { throw OperationError.alreadyDone }
        var problems = Problems<Field>()
        let damage = ClaimSupport.optional(input.damageType)
        if damage == nil { problems.add(.damageType, ProblemKey.required) }
        ClaimSupport.checkText(damage, limit: InputLimits.name, field: .damageType, into: &problems)
        ClaimSupport.checkTime(input.incident, field: .incident, into: &problems)
        let type = ClaimCustomerType(rawValue: input.policyholderType)
        if type == nil { problems.add(.policyholderType, ProblemKey.chooseFromList) }
        guard problems.isEmpty, let type else { return .problems(problems) }
        try await ClaimSupport.onVersion(caseId: caseId, expectedVersion: input.expectedVersion, in: context) { tx in
            let details = ClaimDetailsRecord()
            details.id = caseId
            details.incidentAt = input.incident.date
            details.damageType = damage
            details.policyholderType = type.rawValue
            try await details.create(on: tx)
        }
        return .done(record.number)
    }
}
