import CaseportCore
import FluentKit

// Issue 14 (B8, B10, D3): the price list, article rows, work orders and invoice specifications (M024).
// Money is always an Int of minor units (öre) and a quantity an Int of thousandths; VAT rates are basis
// points. Times the dashboards compare are Unix seconds (`*_unix`), days typed by staff are yyyy-mm-dd.

/// A price-list entry. Changing its price never touches rows already booked: a row copies it.
public final class ArticleRecord: Model, @unchecked Sendable {
    public static let schema = "articles"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    /// Unique, e.g. "ARB-01".
    @Field(key: "code") public var code: String
    @Field(key: "name") public var name: String
    /// "h", "st", "m" …, shown as typed.
    @Field(key: "unit") public var unit: String
    /// `ArticleType` raw value: work, material, other.
    @Field(key: "article_type") public var articleType: String
    /// Price per unit, VAT excluded, in minor units.
    @Field(key: "unit_price_minor") public var unitPriceMinor: Int
    /// 2500 = 25 %.
    @Field(key: "vat_rate_bp") public var vatRateBasisPoints: Int
    @Field(key: "is_active") public var isActive: Bool
    @Field(key: "updated_unix") public var updatedUnix: Int
    public init() {}

    public var type: ArticleType { ArticleType(rawValue: articleType) ?? .other }
    public var unitPrice: Money { Money(minor: unitPriceMinor) }
    public var vatRate: VATRate { VATRate(basisPoints: vatRateBasisPoints) }
}

/// An action code (åtgärdskod): what was done, booked with each row (the article-row dashboard filters on it).
public final class ActionCodeRecord: Model, @unchecked Sendable {
    public static let schema = "action_codes"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "code") public var code: String
    @Field(key: "name") public var name: String
    @Field(key: "is_active") public var isActive: Bool
    public init() {}
}

/// A work order on a case: sent to a supplier, with its own rows (D3).
public final class WorkOrderRecord: Model, @unchecked Sendable {
    public static let schema = "work_orders"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "case_id") public var caseId: Int
    /// `WorkOrderType` raw value.
    @Field(key: "work_order_type") public var workOrderType: String
    /// `WorkOrderState` raw value: draft, sent, accepted, done.
    @Field(key: "state") public var state: String
    @OptionalField(key: "supplier_id") public var supplierId: Int?
    @Field(key: "title") public var title: String
    @Field(key: "description") public var description: String
    /// Planned days, yyyy-mm-dd.
    @OptionalField(key: "planned_start") public var plannedStart: String?
    @OptionalField(key: "planned_end") public var plannedEnd: String?
    /// Unix seconds of each state change.
    @OptionalField(key: "sent_unix") public var sentUnix: Int?
    @OptionalField(key: "accepted_unix") public var acceptedUnix: Int?
    @OptionalField(key: "done_unix") public var doneUnix: Int?
    @Field(key: "created_unix") public var createdUnix: Int
    @Field(key: "updated_unix") public var updatedUnix: Int
    @OptionalField(key: "created_by_staff_id") public var createdByStaffId: Int?
    /// Raised by every change, so an edit from an older page is refused.
    @Field(key: "version") public var version: Int
    public init() {}

    public var type: WorkOrderType { WorkOrderType(rawValue: workOrderType) ?? .other }
    public var currentState: WorkOrderState { WorkOrderState(rawValue: state) ?? .draft }
}

/// A booked article row on a case (and optionally on one of its work orders). Everything about the
/// article is copied at booking: later price-list changes leave it alone.
public final class ArticleRowRecord: Model, @unchecked Sendable {
    public static let schema = "article_rows"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "case_id") public var caseId: Int
    @OptionalField(key: "work_order_id") public var workOrderId: Int?
    /// The price-list entry it was booked from (nil once that is gone; the copies below remain).
    @OptionalField(key: "article_id") public var articleId: Int?
    @OptionalField(key: "action_code_id") public var actionCodeId: Int?
    /// The action code's code as booked.
    @OptionalField(key: "action_code") public var actionCode: String?
    @Field(key: "article_code") public var articleCode: String
    @Field(key: "article_name") public var articleName: String
    /// `ArticleType` raw value as booked.
    @Field(key: "article_type") public var articleType: String
    @Field(key: "unit") public var unit: String
    @Field(key: "quantity_milli") public var quantityMilli: Int
    @Field(key: "unit_price_minor") public var unitPriceMinor: Int
    @Field(key: "vat_rate_bp") public var vatRateBasisPoints: Int
    /// Rounded by `RowAmounts.of` when booked; gross = net + VAT.
    @Field(key: "net_minor") public var netMinor: Int
    @Field(key: "vat_minor") public var vatMinor: Int
    @Field(key: "gross_minor") public var grossMinor: Int
    @OptionalField(key: "note") public var note: String?
    /// The day the work or material was delivered, yyyy-mm-dd.
    @Field(key: "booked_on") public var bookedOn: String
    @Field(key: "created_unix") public var createdUnix: Int
    @OptionalField(key: "created_by_staff_id") public var createdByStaffId: Int?
    @Field(key: "created_by_name") public var createdByName: String
    /// The waiting or approved specification that holds a copy of this row (nil when none, or the
    /// specification was rejected). A row on a specification cannot be removed.
    @OptionalField(key: "specification_id") public var specificationId: Int?
    public init() {}

    public var quantity: Quantity { Quantity(milli: quantityMilli) }
    public var unitPrice: Money { Money(minor: unitPriceMinor) }
    public var vatRate: VATRate { VATRate(basisPoints: vatRateBasisPoints) }
    public var amounts: RowAmounts { RowAmounts(net: Money(minor: netMinor), vat: Money(minor: vatMinor)) }
    public var type: ArticleType { ArticleType(rawValue: articleType) ?? .other }
}

/// An invoice specification (fakturaunderlag, B10): a frozen copy of chosen rows of one customer's
/// cases, with their totals, for the customer to approve or reject. Approved is final.
public final class InvoiceSpecificationRecord: Model, @unchecked Sendable {
    public static let schema = "invoice_specifications"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    /// Sequential, from the `specification_number` counter.
    @Field(key: "number") public var number: Int
    @Field(key: "customer_id") public var customerId: Int
    @Field(key: "title") public var title: String
    /// `SpecificationState` raw value: waiting, approved, rejected.
    @Field(key: "state") public var state: String
    /// Sums of the copied rows' rounded amounts.
    @Field(key: "net_minor") public var netMinor: Int
    @Field(key: "vat_minor") public var vatMinor: Int
    @Field(key: "gross_minor") public var grossMinor: Int
    @Field(key: "row_count") public var rowCount: Int
    @Field(key: "created_unix") public var createdUnix: Int
    @OptionalField(key: "created_by_staff_id") public var createdByStaffId: Int?
    @Field(key: "created_by_name") public var createdByName: String
    @OptionalField(key: "answered_unix") public var answeredUnix: Int?
    @OptionalField(key: "answered_by_user_id") public var answeredByUserId: Int?
    @OptionalField(key: "answered_by_name") public var answeredByName: String?
    @OptionalField(key: "answer_comment") public var answerComment: String?
    /// When the approval round reminded the customer (once per specification); never approves.
    @OptionalField(key: "reminded_unix") public var remindedUnix: Int?
    @Field(key: "version") public var version: Int
    public init() {}

    public var currentState: SpecificationState { SpecificationState(rawValue: state) ?? .waiting }
    public var totals: MoneyTotals { MoneyTotals(net: Money(minor: netMinor), vat: Money(minor: vatMinor)) }
}

/// One frozen row of a specification: a copy of an article row as it was when the specification was made.
public final class SpecificationRowRecord: Model, @unchecked Sendable {
    public static let schema = "specification_rows"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "specification_id") public var specificationId: Int
    @Field(key: "position") public var position: Int
    @OptionalField(key: "article_row_id") public var articleRowId: Int?
    @Field(key: "case_id") public var caseId: Int
    @Field(key: "case_number") public var caseNumber: Int
    @OptionalField(key: "work_order_id") public var workOrderId: Int?
    @Field(key: "booked_on") public var bookedOn: String
    @OptionalField(key: "action_code") public var actionCode: String?
    @Field(key: "article_code") public var articleCode: String
    @Field(key: "article_name") public var articleName: String
    @Field(key: "article_type") public var articleType: String
    @Field(key: "unit") public var unit: String
    @Field(key: "quantity_milli") public var quantityMilli: Int
    @Field(key: "unit_price_minor") public var unitPriceMinor: Int
    @Field(key: "vat_rate_bp") public var vatRateBasisPoints: Int
    @Field(key: "net_minor") public var netMinor: Int
    @Field(key: "vat_minor") public var vatMinor: Int
    @Field(key: "gross_minor") public var grossMinor: Int
    @OptionalField(key: "note") public var note: String?
    public init() {}

    public var quantity: Quantity { Quantity(milli: quantityMilli) }
    public var unitPrice: Money { Money(minor: unitPriceMinor) }
    public var vatRate: VATRate { VATRate(basisPoints: vatRateBasisPoints) }
    public var amounts: RowAmounts { RowAmounts(net: Money(minor: netMinor), vat: Money(minor: vatMinor)) }
}
