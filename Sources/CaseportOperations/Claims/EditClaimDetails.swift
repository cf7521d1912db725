import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// D3 (seed 002): staff edit a claim's details and people — incident time, damage type, the
/// policyholder's type, the address (the case's work site), the project manager (name, phone, office),
/// the expert / inspector, and the meeting time with the customer. Only on the version the page
/// showed; each change the customer's feed knows is one event, in the change's transaction: project
/// manager, their office, expert assigned, appointment. Assigning the expert is the first inspection
/// (`ClaimMoment.firstInspection`), kept from the first time.
public enum EditClaimDetails {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var expectedVersion: Int
        public var incident: TypedTime
        public var damageType: String
        public var policyholderType: String
        public var address: String
        public var projectManagerName: String
        public var projectManagerPhone: String
        public var projectOffice: ChosenId
        public var expertName: String
        public var expertPhone: String
        public var appointment: TypedTime

        public init(caseNumber: Int, expectedVersion: Int, incident: TypedTime = .none, damageType: String = "",
                    policyholderType: String = "", address: String = "", projectManagerName: String = "",
                    projectManagerPhone: String = "", projectOffice: ChosenId = .none, expertName: String = "",
                    expertPhone: String = "", appointment: TypedTime = .none) {
            self.caseNumber = caseNumber
            self.expectedVersion = expectedVersion
            self.incident = incident
            self.damageType = damageType
            self.policyholderType = policyholderType
            self.address = address
            self.projectManagerName = projectManagerName
            self.projectManagerPhone = projectManagerPhone
            self.projectOffice = projectOffice
            self.expertName = expertName
            self.expertPhone = expertPhone
            self.appointment = appointment
        }
    }

    public enum Field: String, Hashable, Sendable {
        case incident, damageType = "damage_type", policyholderType = "policyholder_type", address
        case projectManagerName = "pm_name", projectManagerPhone = "pm_phone", projectOffice = "pm_office"
        case expertName = "expert_name", expertPhone = "expert_phone", appointment
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        let (record, _) = try await ClaimSupport.claim(number: input.caseNumber, in: context)
        let caseId = try record.requireID()
        var problems = Problems<Field>()
        let damage = ClaimSupport.optional(input.damageType)
        if damage == nil { problems.add(.damageType, ProblemKey.required) }
        ClaimSupport.checkText(damage, limit: InputLimits.name, field: .damageType, into: &problems)
        ClaimSupport.checkTime(input.incident, field: .incident, into: &problems)
        let type = ClaimCustomerType(rawValue: input.policyholderType)
        if type == nil { problems.add(.policyholderType, ProblemKey.chooseFromList) }
        let address = ClaimSupport.optional(input.address)
        ClaimSupport.checkText(address, limit: InputLimits.fieldValue, field: .address, into: &problems)
        let managerName = ClaimSupport.optional(input.projectManagerName)
        ClaimSupport.checkText(managerName, limit: InputLimits.name, field: .projectManagerName, into: &problems)
        let managerPhone = ClaimSupport.optional(input.projectManagerPhone)
        ClaimSupport.checkPhone(managerPhone, field: .projectManagerPhone, into: &problems)
        let office = try await ClaimSupport.office(input.projectOffice, field: .projectOffice, into: &problems, on: context.database)
        let expertName = ClaimSupport.optional(input.expertName)
        ClaimSupport.checkText(expertName, limit: InputLimits.name, field: .expertName, into: &problems)
        let expertPhone = ClaimSupport.optional(input.expertPhone)
        ClaimSupport.checkPhone(expertPhone, field: .expertPhone, into: &problems)
        if expertPhone != nil && expertName == nil { problems.add(.expertName, "claims_error_name_for_phone") }
        if managerPhone != nil && managerName == nil { problems.add(.projectManagerName, "claims_error_name_for_phone") }
        ClaimSupport.checkTime(input.appointment, field: .appointment, into: &problems)
        guard problems.isEmpty, let type else { return .problems(problems) }

        let officeId = office?.id, officeName = office?.name
        let now = context.now, by = actor.eventActor
        try await ClaimSupport.onVersion(caseId: caseId, expectedVersion: input.expectedVersion, in: context) { tx in
            guard let details = try await ClaimDetailsRecord.find(caseId, on: tx),
                  let current = try await CaseRecord.find(caseId, on: tx) else { throw OperationError.notFound }
            var events: [CaseEvent] = []
            if details.projectManagerName != managerName { events.append(.projectManagerChanged(name: managerName)) }
            if details.projectOfficeId != officeId { events.append(.projectManagerOfficeChanged(office: officeName)) }
            if details.expertName != expertName, let expertName {
                events.append(.expertAssigned(name: expertName))
                ClaimSupport.markFirstInspection(details, at: now)
            }
            if details.appointmentAt != input.appointment.date { events.append(.appointmentChanged(at: input.appointment.date)) }
            details.incidentAt = input.incident.date
            details.damageType = damage
            details.policyholderType = type.rawValue
            details.projectManagerName = managerName
            details.projectManagerPhone = managerPhone
            details.projectOfficeId = officeId
            details.expertName = expertName
            details.expertPhone = expertPhone
            details.appointmentAt = input.appointment.date
            try await details.update(on: tx)
            if current.workSiteAddress != address {
                current.workSiteAddress = address
                try await current.update(on: tx)
            }
            for event in events { try await CaseEvents.append(event, caseId: caseId, by: by, at: now, on: tx) }
        }
        return .done(record.number)
    }
}
