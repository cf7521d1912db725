import CaseportCore
import FluentKit
import SQLKit

/// A case's article rows and work orders (B8, D3). Callers reach the case first — the portal through
/// `VisibleCases`, staff through `StaffCases` — and then read its money by case id here.
public struct CaseMoney: Sendable {
    public let database: any Database
    public init(database: any Database) { self.database = database }

    /// Oldest first: the order they were delivered and booked.
    public func rows(caseId: Int) async throws -> [ArticleRowRecord] {
        try await ArticleRowRecord.query(on: database).filter(\.$caseId == caseId)
            .sort(\.$bookedOn).sort(\.$id).all()
    }

    public func row(id: Int, caseId: Int) async throws -> ArticleRowRecord? {
        try await ArticleRowRecord.query(on: database).filter(\.$id == id).filter(\.$caseId == caseId).first()
    }

    public func workOrders(caseId: Int) async throws -> [WorkOrderRecord] {
        try await WorkOrderRecord.query(on: database).filter(\.$caseId == caseId).sort(\.$id).all()
    }

    public func workOrder(id: Int, caseId: Int) async throws -> WorkOrderRecord? {
        try await WorkOrderRecord.query(on: database).filter(\.$id == id).filter(\.$caseId == caseId).first()
    }

    /// Rows of a customer's cases that no waiting or approved specification holds: what staff may put
    /// on a new specification. "The customer's cases" are those whose customer is this one.
    public func unspecifiedRows(customerId: Int) async throws -> [(row: ArticleRowRecord, caseNumber: Int)] {
        let cases = try await CaseRecord.query(on: database).filter(\.$customerId == customerId).all()
        let numbers = Dictionary(uniqueKeysWithValues: try cases.map { (try $0.requireID(), $0.number) })
        guard !numbers.isEmpty else { return [] }
        let rows = try await ArticleRowRecord.query(on: database).filter(\.$caseId ~~ Array(numbers.keys))
            .filter(\.$specificationId == nil).sort(\.$caseId).sort(\.$bookedOn).sort(\.$id).all()
        return rows.map { ($0, numbers[$0.caseId] ?? 0) }
    }
}

/// Invoice specifications (B10). Portal reads are scoped to the customers `SpecificationAccess` gives
/// the viewer: another customer's specification is not found, exactly like a missing one.
public struct InvoiceSpecifications: Sendable {
    public static let counterName = "specification_number"
    public let database: any Database
    public init(database: any Database) { self.database = database }

    /// Newest first.
    public func list(customerIds: Set<Int>) async throws -> [InvoiceSpecificationRecord] {
        guard !customerIds.isEmpty else { return [] }
        return try await InvoiceSpecificationRecord.query(on: database).filter(\.$customerId ~~ Array(customerIds))
            .sort(\.$createdUnix, .descending).sort(\.$id, .descending).all()
    }

    /// Staff: every specification, newest first, at most `limit`.
    public func all(limit: Int = 200) async throws -> [InvoiceSpecificationRecord] {
        try await InvoiceSpecificationRecord.query(on: database).sort(\.$createdUnix, .descending).sort(\.$id, .descending)
            .limit(limit).all()
    }

    /// nil when it does not exist or belongs to a customer outside `customerIds`.
    public func find(id: Int, customerIds: Set<Int>) async throws -> InvoiceSpecificationRecord? {
        guard let found = try await InvoiceSpecificationRecord.find(id, on: database), customerIds.contains(found.customerId)
        else { return nil }
        return found
    }

    public func rows(specificationId: Int) async throws -> [SpecificationRowRecord] {
        try await SpecificationRowRecord.query(on: database).filter(\.$specificationId == specificationId)
            .sort(\.$position).all()
    }

    public func waitingCount(customerIds: Set<Int>) async throws -> Int {
        guard !customerIds.isEmpty else { return 0 }
        return try await InvoiceSpecificationRecord.query(on: database).filter(\.$customerId ~~ Array(customerIds))
            .filter(\.$state == SpecificationState.waiting.rawValue).count()
    }

    /// The next specification number, inside the caller's transaction (like `CaseNumbers.next`).
    public static func nextNumber(on database: any Database) async throws -> Int {
        let row = try await database.requireSQL().raw("""
            UPDATE counters SET value = value + 1 WHERE id = \(bind: counterName) RETURNING value
            """).first()
        guard let value = try row?.decode(column: "value", as: Int.self) else { throw StoreError.counterMissing(counterName) }
        return value
    }

    /// B10: who is told about a customer's specification — the active, not removed contact-kind users
    /// whose contact is linked to the customer, with an e-mail address (and their language).
    public func approvers(customerId: Int) async throws -> [(email: String, language: String?)] {
        let sql = try database.requireSQL()
        let rows = try await sql.raw("""
            SELECT DISTINCT u.email AS email, u.language AS language FROM portal_users u
            JOIN contact_customers cc ON cc.contact_id = u.contact_id
            WHERE cc.customer_id = \(bind: customerId) AND u.login_kind = \(bind: PortalLoginKind.contact.rawValue)
              AND u.is_active = \(true) AND u.removed_at IS NULL AND u.email IS NOT NULL AND u.email <> ''
            ORDER BY u.email
            """).all()
        return try rows.map { (try $0.decode(column: "email", as: String.self), try $0.decodeOptional(column: "language", as: String.self)) }
    }

    /// The approval round's half for specifications: waiting ones made before `cutoff` and not yet
    /// reminded, each claimed by a conditional UPDATE so a reminder goes out once.
    public func claimForReminder(createdBefore cutoff: Int, now: Int, limit: Int = 200) async throws -> [InvoiceSpecificationRecord] {
        let due = try await InvoiceSpecificationRecord.query(on: database)
            .filter(\.$state == SpecificationState.waiting.rawValue).filter(\.$remindedUnix == nil)
            .filter(\.$createdUnix <= cutoff).sort(\.$id).limit(limit).all()
        var claimed: [InvoiceSpecificationRecord] = []
        let sql = try database.requireSQL()
        for spec in due {
            let row = try await sql.raw("""
                UPDATE invoice_specifications SET reminded_unix = \(bind: now)
                WHERE id = \(bind: try spec.requireID()) AND state = \(bind: SpecificationState.waiting.rawValue)
                  AND reminded_unix IS NULL RETURNING id
                """).first()
            if row != nil {
                spec.remindedUnix = now
                claimed.append(spec)
            }
        }
        return claimed
    }
}

/// The conditional writes of rows, work orders and specifications: each changes a row only in the state
/// the caller read it in (`… WHERE … RETURNING id`), so two people at once cannot both succeed.
/// Each returns whether it changed something. Call inside the operation's transaction.
public enum MoneyWrites {
    /// Removes a booked row that no specification holds.
    public static func deleteUnspecifiedRow(id: Int, on db: any Database) async throws -> Bool {
        try await db.requireSQL().raw("""
            DELETE FROM article_rows WHERE id = \(bind: id) AND specification_id IS NULL RETURNING id
            """).first() != nil
    }

    /// Saves an edited work order's details, if it is still at `order.version` and not done.
    public static func updateWorkOrder(_ order: WorkOrderRecord, now: Int, on db: any Database) async throws -> Bool {
        try await db.requireSQL().raw("""
            UPDATE work_orders SET work_order_type = \(bind: order.workOrderType), supplier_id = \(bind: order.supplierId),
              title = \(bind: order.title), description = \(bind: order.description),
              planned_start = \(bind: order.plannedStart), planned_end = \(bind: order.plannedEnd),
              updated_unix = \(bind: now), version = version + 1
            WHERE id = \(bind: try order.requireID()) AND version = \(bind: order.version) AND state <> \(bind: WorkOrderState.done.rawValue)
            RETURNING id
            """).first() != nil
    }

    /// Moves a work order one step, if it is still in `from` at `version`; stamps the step's time.
    public static func moveWorkOrder(id: Int, from: WorkOrderState, to: WorkOrderState, version: Int, now: Int,
                                     on db: any Database) async throws -> Bool {
        let stamp: String
        switch to {
        case .sent: stamp = "sent_unix"
        case .accepted: stamp = "accepted_unix"
        case .done, .draft: stamp = "done_unix"
        }
        return try await db.requireSQL().raw("""
            UPDATE work_orders SET state = \(bind: to.rawValue), \(unsafeRaw: stamp) = \(bind: now), updated_unix = \(bind: now),
              version = version + 1
            WHERE id = \(bind: id) AND state = \(bind: from.rawValue) AND version = \(bind: version) RETURNING id
            """).first() != nil
    }

    /// Puts a free row on a specification.
    public static func claimRow(id: Int, specificationId: Int, on db: any Database) async throws -> Bool {
        try await db.requireSQL().raw("""
            UPDATE article_rows SET specification_id = \(bind: specificationId)
            WHERE id = \(bind: id) AND specification_id IS NULL RETURNING id
            """).first() != nil
    }

    /// Frees the rows a specification held (it was rejected or withdrawn).
    public static func releaseRows(specificationId: Int, on db: any Database) async throws {
        try await db.requireSQL().raw("""
            UPDATE article_rows SET specification_id = NULL WHERE specification_id = \(bind: specificationId)
            """).run()
    }

    /// Deletes a specification that is not approved (its frozen rows go with it).
    public static func deleteUnapprovedSpecification(id: Int, on db: any Database) async throws -> Bool {
        try await db.requireSQL().raw("""
            DELETE FROM invoice_specifications WHERE id = \(bind: id) AND state <> \(bind: SpecificationState.approved.rawValue)
            RETURNING id
            """).first() != nil
    }

    /// Records the customer's answer, if the specification is still waiting.
    public static func answerSpecification(id: Int, state: SpecificationState, now: Int, userId: Int, name: String, comment: String?,
                                           on db: any Database) async throws -> Bool {
        try await db.requireSQL().raw("""
            UPDATE invoice_specifications SET state = \(bind: state.rawValue), answered_unix = \(bind: now),
              answered_by_user_id = \(bind: userId), answered_by_name = \(bind: name),
              answer_comment = \(bind: comment), version = version + 1
            WHERE id = \(bind: id) AND state = \(bind: SpecificationState.waiting.rawValue) RETURNING id
            """).first() != nil
    }
}
