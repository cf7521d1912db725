import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// D3 (seed 002): a linked contact's role on the claim — the policyholder or a contact person (who
/// gets the customer page's link depends on it, C7). Only contacts linked to the case; "" clears the
/// role. The link itself is made and removed by `LinkCaseContact` / `UnlinkCaseContact`.
public enum SetClaimContactRole {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var contactId: Int
        public var role: String
        public init(caseNumber: Int, contactId: Int, role: String) {
            self.caseNumber = caseNumber
            self.contactId = contactId
            self.role = role
        }
    }

    public enum Field: String, Hashable, Sendable { case role }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        let (record, _) = try await ClaimSupport.claim(number: input.caseNumber, in: context)
        var problems = Problems<Field>()
        let role = input.role.isEmpty ? nil : ClaimContactRole(rawValue: input.role)
        if !input.role.isEmpty && role == nil { problems.add(.role, ProblemKey.chooseFromList) }
        guard problems.isEmpty else { return .problems(problems) }
        guard try await ClaimBackOffice(database: context.database)
            .setContactRole(caseId: try record.requireID(), contactId: input.contactId, role: role?.rawValue) else {
            throw OperationError.notFound
        }
        return .done(record.number)
    }
}
