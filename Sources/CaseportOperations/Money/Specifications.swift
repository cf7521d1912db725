import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// B10: staff make an invoice specification for one customer from chosen rows of that customer's
/// cases: a frozen copy of each row and the totals (the sums of the rounded rows). The rows are marked
/// as specified, so no second specification takes them; the customer's approvers are told by e-mail.
public enum CreateSpecification {
    public struct Input: Sendable {
        public var customerId: Int
        public var title: String
        public var rowIds: [Int]
        public init(customerId: Int, title: String, rowIds: [Int]) {
            self.customerId = customerId
            self.title = title
            self.rowIds = rowIds
        }
    }

    public enum Field: String, Hashable, Sendable { case title, rows }

    public struct Created: Sendable, Equatable {
        public var specificationId: Int
        public var number: Int
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Created, Field> {
        let db = context.database
        guard let customer = try await CustomerRecord.find(input.customerId, on: db) else { throw OperationError.notFound }
        let customerId = try customer.requireID()
        let title = input.title.trimmed
        var problems = Problems<Field>()
        MoneyText.check(title, limit: InputLimits.subject, field: .title, into: &problems)
        let chosen = Set(input.rowIds)
        let available = try await CaseMoney(database: db).unspecifiedRows(customerId: customerId)
        let picked = available.filter { chosen.contains($0.row.id ?? -1) }
        if chosen.isEmpty { problems.add(.rows, "spec_error_no_rows") }
        // A row of another customer's case, one already specified, or one that is gone: refused whole.
        else if picked.count != chosen.count { problems.add(.rows, "spec_error_rows_changed") }
        guard problems.isEmpty else { return .problems(problems) }

        let totals = MoneyTotals(rows: picked.map(\.row.amounts))
        let now = Int(context.now.timeIntervalSince1970)
        let spec = InvoiceSpecificationRecord()
        spec.customerId = customerId
        spec.title = title
        spec.state = SpecificationState.waiting.rawValue
        spec.netMinor = totals.net.minor
        spec.vatMinor = totals.vat.minor
        spec.grossMinor = totals.gross.minor
        spec.rowCount = picked.count
        spec.createdUnix = now
        spec.createdByStaffId = actor.staffId
        spec.createdByName = actor.name
        spec.version = 1
        try await db.transaction { tx in
            spec.number = try await InvoiceSpecifications.nextNumber(on: tx)
            try await spec.save(on: tx)
            let specId = try spec.requireID()
            for (position, entry) in picked.enumerated() {
                let row = entry.row
                // Claim the row: a specification made at the same moment cannot take it too.
                guard try await MoneyWrites.claimRow(id: try row.requireID(), specificationId: specId, on: tx) else {
                    throw OperationError.stale
                }
                let copy = SpecificationRowRecord()
                copy.specificationId = specId
                copy.position = position + 1
                copy.articleRowId = row.id
                copy.caseId = row.caseId
                copy.caseNumber = entry.caseNumber
                copy.workOrderId = row.workOrderId
                copy.bookedOn = row.bookedOn
                copy.actionCode = row.actionCode
                copy.articleCode = row.articleCode
                copy.articleName = row.articleName
                copy.articleType = row.articleType
                copy.unit = row.unit
                copy.quantityMilli = row.quantityMilli
                copy.unitPriceMinor = row.unitPriceMinor
                copy.vatRateBasisPoints = row.vatRateBasisPoints
                copy.netMinor = row.netMinor
                copy.vatMinor = row.vatMinor
                copy.grossMinor = row.grossMinor
                copy.note = row.note
                try await copy.save(on: tx)
            }
            for caseId in Set(picked.map(\.row.caseId)).sorted() {
                try await CaseEvents.append(.specificationCreated(number: spec.number), caseId: caseId, by: actor.eventActor,
                                            at: context.now, audience: .staff, on: tx)
            }
            try await context.audit(.masterDataChanged, by: actor.auditActor, subject: "specification \(spec.number)",
                                    details: "created for customer \(customer.customerNumber): \(picked.count) rows, \(totals.gross.plain)",
                                    on: tx)
            for approver in try await InvoiceSpecifications(database: tx).approvers(customerId: customerId) {
                try await Notifications.specificationMail(context.notifications, kind: .specificationWaiting, to: approver.email,
                                                          language: Language(rawValue: approver.language ?? "") ?? .fallback,
                                                          spec: spec).save(on: tx)
            }
        }
        return .done(Created(specificationId: try spec.requireID(), number: spec.number))
    }
}

/// B10: staff withdraw a specification that is waiting or was rejected (a mistake, or to make a new
/// one): its rows are free again. An approved specification cannot change: refused with the reason.
public enum WithdrawSpecification {
    public enum Field: String, Hashable, Sendable { case specification }

    public static func run(specificationId: Int, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        let db = context.database
        guard let spec = try await InvoiceSpecificationRecord.find(specificationId, on: db) else { throw OperationError.notFound }
        guard !spec.currentState.isFinal else {
            var problems = Problems<Field>()
            problems.add(.specification, "spec_error_approved_final")
            return .problems(problems)
        }
        try await db.transaction { tx in
            try await MoneyWrites.releaseRows(specificationId: specificationId, on: tx)
            // Conditional on its state: an approval that landed meanwhile wins (and the trigger refuses too).
            guard try await MoneyWrites.deleteUnapprovedSpecification(id: specificationId, on: tx) else { throw OperationError.stale }
            try await context.audit(.masterDataChanged, by: actor.auditActor, subject: "specification \(spec.number)",
                                    details: "withdrawn (\(spec.currentState.rawValue))", on: tx)
        }
        return .done(spec.number)
    }
}

/// B10: a user whose contact is linked to the specification's customer approves it, or rejects it
/// with a comment. Only a waiting specification can be answered; an approved one is final and the
/// attempt is refused with the reason. Rejecting frees its rows for a new specification. Nothing
/// about money is ever approved by anyone else (the reminder round only reminds).
public enum AnswerSpecification {
    public enum Answer: Sendable, Equatable {
        case approve
        case reject(comment: String)
    }

    public enum Field: String, Hashable, Sendable { case comment, specification }

    public static func run(specificationId: Int, answer: Answer, by actor: PortalActor, in context: OperationContext) async throws
        -> Outcome<Int, Field> {
        let db = context.database
        let customers = SpecificationAccess.customerIds(for: actor.viewer)
        guard let spec = try await InvoiceSpecifications(database: db).find(id: specificationId, customerIds: customers) else {
            throw OperationError.notFound
        }
        var problems = Problems<Field>()
        switch spec.currentState {
        case .approved:
            problems.add(.specification, "spec_error_approved_final")
            return .problems(problems)
        case .rejected:
            problems.add(.specification, "spec_error_already_answered")
            return .problems(problems)
        case .waiting: break
        }
        var comment: String?
        if case .reject(let raw) = answer {
            let text = raw.trimmed
            if text.isEmpty { problems.add(.comment, "spec_error_comment_required") }
            else if text.count > InputLimits.message { problems.add(.comment, ProblemKey.tooLong) }
            comment = text
        }
        guard problems.isEmpty else { return .problems(problems) }
        let approved = answer == .approve
        let answerComment = comment
        let state: SpecificationState = approved ? .approved : .rejected
        let now = Int(context.now.timeIntervalSince1970)
        let actorName = actor.name
        let caseIds = Set(try await InvoiceSpecifications(database: db).rows(specificationId: specificationId).map(\.caseId)).sorted()
        do {
            try await db.transaction { tx in
                guard try await MoneyWrites.answerSpecification(id: specificationId, state: state, now: now, userId: actor.userId,
                                                                 name: actorName, comment: answerComment, on: tx)
                else { throw OperationError.alreadyDone }
                if !approved { try await MoneyWrites.releaseRows(specificationId: specificationId, on: tx) }
                let event: CaseEvent = approved ? .specificationApproved(number: spec.number) : .specificationRejected(number: spec.number)
                for caseId in caseIds {
                    try await CaseEvents.append(event, caseId: caseId, by: EventActor(portalUserId: actor.userId, name: actorName),
                                                at: context.now, on: tx)
                }
                try await context.audit(.masterDataChanged, by: .portal(id: actor.userId, name: actorName),
                                        subject: "specification \(spec.number)", details: state.rawValue, on: tx)
            }
        } catch OperationError.alreadyDone {
            // Someone answered between the read and the write: say what it is now.
            let now = try await InvoiceSpecificationRecord.find(specificationId, on: db)
            problems.add(.specification, now?.currentState == .approved ? "spec_error_approved_final" : "spec_error_already_answered")
            return .problems(problems)
        }
        return .done(spec.number)
    }
}
