import CaseportCore
import FluentKit
import Foundation

/// Issue 13 (D3, seed 002): what makes a case a claim with its own customer page. A case has claim
/// details when staff have filled them in (one row per case, keyed by the case). Its roles and people
/// are names and phones as the company gives them; offices are suppliers (partner offices).
public final class ClaimDetailsRecord: Model, @unchecked Sendable {
    public static let schema = "claim_details"
    @ID(custom: "case_id", generatedBy: .user) public var id: Int?
    @OptionalField(key: "incident_at") public var incidentAt: Date?
    @OptionalField(key: "damage_type") public var damageType: String?
    /// `ClaimCustomerType`: the policyholder is a private person or a business.
    @Field(key: "policyholder_type") public var policyholderType: String
    @OptionalField(key: "project_manager_name") public var projectManagerName: String?
    @OptionalField(key: "project_manager_phone") public var projectManagerPhone: String?
    /// The project manager's office: a supplier.
    @OptionalField(key: "project_office_id") public var projectOfficeId: Int?
    @OptionalField(key: "expert_name") public var expertName: String?
    @OptionalField(key: "expert_phone") public var expertPhone: String?
    /// The meeting time with the customer (seed: "Mødetidspunkt med kunde").
    @OptionalField(key: "appointment_at") public var appointmentAt: Date?
    /// `CompensationDecision`, nil until decided.
    @OptionalField(key: "decision") public var decision: String?
    @OptionalField(key: "decision_at") public var decisionAt: Date?
    /// When the `ClaimMoment` moments were first reached (they stay reached).
    @OptionalField(key: "first_inspection_at") public var firstInspectionAt: Date?
    @OptionalField(key: "positive_decision_at") public var positiveDecisionAt: Date?
    /// The handler's reminder on the case (the start page's today / tomorrow / later).
    @OptionalField(key: "reminder_on") public var reminderOn: Date?
    @OptionalField(key: "reminder_note") public var reminderNote: String?
    /// The case's own `ClaimPageOverrides` as JSON; nil: as the customer's and the deployment's.
    @OptionalField(key: "page_settings") public var pageSettings: String?
    public init() {}
}

/// A task on a claim (D3, C2): inspection, main inspection, repair or other, done by a supplier's
/// responsible person between two times.
public final class ClaimTaskRecord: Model, @unchecked Sendable {
    public static let schema = "claim_tasks"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "case_id") public var caseId: Int
    /// `ClaimTaskKind`.
    @Field(key: "kind") public var kind: String
    @Field(key: "title") public var title: String
    /// `ClaimTaskState`.
    @Field(key: "state") public var state: String
    @OptionalField(key: "supplier_id") public var supplierId: Int?
    @OptionalField(key: "responsible_name") public var responsibleName: String?
    @OptionalField(key: "responsible_phone") public var responsiblePhone: String?
    @OptionalField(key: "starts_at") public var startsAt: Date?
    @OptionalField(key: "ends_at") public var endsAt: Date?
    @Field(key: "description") public var description: String
    /// The task waits for the supplier's answer (the start page's "tasks waiting for a supplier").
    @Field(key: "awaiting_supplier") public var awaitingSupplier: Bool
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date
    public init() {}
}

/// A call about a claim (seed 002 "Opkalds historie"): who called whom, answered or not, how long.
public final class ClaimCallRecord: Model, @unchecked Sendable {
    public static let schema = "claim_calls"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "case_id") public var caseId: Int
    @Field(key: "caller_name") public var callerName: String
    @Field(key: "callee_name") public var calleeName: String
    @Field(key: "callee_number") public var calleeNumber: String
    @Field(key: "answered") public var answered: Bool
    @Field(key: "seconds") public var seconds: Int
    @Field(key: "called_at") public var calledAt: Date
    @OptionalField(key: "staff_id") public var staffId: Int?
    public init() {}
}

/// A line of a claim's budget (C5): description, quantity (thousandths) × unit price (minor units).
public final class BudgetLineRecord: Model, @unchecked Sendable {
    public static let schema = "budget_lines"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "case_id") public var caseId: Int
    @Field(key: "position") public var position: Int
    @Field(key: "description") public var description: String
    @Field(key: "quantity_milli") public var quantityMilli: Int
    @Field(key: "unit_price_minor") public var unitPriceMinor: Int
    /// quantity × unit price, rounded once (`MoneyRounding`), so totals are sums of what is shown.
    @Field(key: "amount_minor") public var amountMinor: Int
    @Field(key: "created_at") public var createdAt: Date
    public init() {}
}
