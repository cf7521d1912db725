import CaseportCore
import CaseportStore
import FluentKit

/// D6: staff add or edit a customer. Short code and customer number are unique; every change is an
/// audit line (E5), and (de)activation — which stops or restores its users' logins — is an access change.
public enum SaveCustomer {
    public struct Input: Sendable {
        /// nil adds a new customer.
        public var customerId: Int?
        public var name: String
        public var shortCode: String
        public var customerNumber: String
        public var singleUser: Bool
        /// Ignored for a new customer, which is always active.
        public var isActive: Bool
        /// The responsible handler (M023; D2's "my inbox"): nil leaves it as it is, `.none` clears it.
        public var handler: ChosenId?

        public init(customerId: Int?, name: String, shortCode: String, customerNumber: String, singleUser: Bool, isActive: Bool,
                    handler: ChosenId? = nil) {
            self.handler = handler
            self.customerId = customerId
            self.name = name
            self.shortCode = shortCode
            self.customerNumber = customerNumber
            self.singleUser = singleUser
            self.isActive = isActive
        }
    }

    public enum Field: String, Hashable, Sendable {
        case name, shortCode = "short_code", customerNumber = "customer_number", handler
    }

    public struct Saved: Sendable, Equatable {
        public var customerId: Int
        public var created: Bool
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Saved, Field> {
        let db = context.database
        var target: CustomerRecord?
        if let id = input.customerId {
            guard let found = try await CustomerRecord.find(id, on: db) else { throw OperationError.notFound }
            target = found
        }
        let name = input.name.trimmed, shortCode = input.shortCode.trimmed, number = input.customerNumber.trimmed
        var problems = Problems<Field>()
        if let problem = MasterDataRules.text(name, limit: InputLimits.name) { problems.add(.name, problem) }
        if let problem = MasterDataRules.text(shortCode, limit: 50) { problems.add(.shortCode, problem) }
        if let problem = MasterDataRules.text(number, limit: 50) { problems.add(.customerNumber, problem) }
        if problems[.shortCode] == nil,
           let clash = try await CustomerRecord.query(on: db).filter(\.$shortCodeKey == LoginKey.fold(shortCode)).first(),
           clash.id != target?.id {
            problems.add(.shortCode, "md_error_short_code_taken")
        }
        if problems[.customerNumber] == nil,
           let clash = try await CustomerRecord.query(on: db).filter(\.$customerNumber == number).first(), clash.id != target?.id {
            problems.add(.customerNumber, "md_error_customer_number_taken")
        }
        let handler = try await HandlerAssignment.check(input.handler, current: target?.handlerId, on: db)
        if handler == nil { problems.add(.handler, ProblemKey.chooseFromList) }
        guard problems.isEmpty, let handler else { return .problems(problems) }

        let record = target ?? CustomerRecord()
        var changes = ChangeList()
        let wasActive = target?.isActive ?? true
        changes.compare("name", target?.name, name)
        changes.compare("short code", target?.shortCode, shortCode)
        changes.compare("customer number", target?.customerNumber, number)
        changes.compare("single user", target.map { String($0.singleUser) }, String(input.singleUser))
        changes.compare("handler", target?.handlerId.map(String.init) ?? "", handler.id.map(String.init) ?? "")
        record.name = name
        record.nameKey = LoginKey.fold(name)
        record.shortCode = shortCode
        record.shortCodeKey = LoginKey.fold(shortCode)
        record.customerNumber = number
        record.singleUser = input.singleUser
        record.handlerId = handler.id
        record.isActive = target == nil ? true : input.isActive
        let isNew = target == nil, changeText = changes.text
        do {
            try await db.transaction { tx in
                try await record.save(on: tx)
                try await SaveAudit.write(subject: "customer \(record.customerNumber) \(record.name)", isNew: isNew, changes: changeText,
                                          wasActive: wasActive, isActive: record.isActive, by: actor, in: context, on: tx)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Someone saved the same unique value between the check and the write.
            throw OperationError.stale
        }
        return .done(Saved(customerId: try record.requireID(), created: isNew))
    }
}

/// D6: staff add or edit an object (a property or installation) of a customer, named by customer number.
public enum SaveObject {
    public struct Input: Sendable {
        public var objectId: Int?
        public var name: String
        public var address: String
        public var customerNumber: String
        public var isActive: Bool
        /// The responsible handler (M023): nil leaves it as it is, `.none` clears it.
        public var handler: ChosenId?

        public init(objectId: Int?, name: String, address: String, customerNumber: String, isActive: Bool, handler: ChosenId? = nil) {
            self.handler = handler
            self.objectId = objectId
            self.name = name
            self.address = address
            self.customerNumber = customerNumber
            self.isActive = isActive
        }
    }

    public enum Field: String, Hashable, Sendable {
        case name, address, customerNumber = "customer_number", handler
    }

    public struct Saved: Sendable, Equatable {
        public var objectId: Int
        public var created: Bool
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Saved, Field> {
        let db = context.database
        var target: ObjectRecord?
        if let id = input.objectId {
            guard let found = try await ObjectRecord.find(id, on: db) else { throw OperationError.notFound }
            target = found
        }
        let name = input.name.trimmed, address = input.address.trimmed, number = input.customerNumber.trimmed
        var problems = Problems<Field>()
        if let problem = MasterDataRules.text(name, limit: InputLimits.name) { problems.add(.name, problem) }
        if let problem = MasterDataRules.text(address, limit: 500) { problems.add(.address, problem) }
        if let problem = MasterDataRules.text(number, limit: 50) { problems.add(.customerNumber, problem) }
        var owner: CustomerRecord?
        if problems[.customerNumber] == nil {
            owner = try await CustomerRecord.query(on: db).filter(\.$customerNumber == number).first()
            if owner == nil { problems.add(.customerNumber, "md_error_unknown_customer") }
        }
        let handler = try await HandlerAssignment.check(input.handler, current: target?.handlerId, on: db)
        if handler == nil { problems.add(.handler, ProblemKey.chooseFromList) }
        guard problems.isEmpty, let owner, let handler else { return .problems(problems) }

        let record = target ?? ObjectRecord()
        let previousOwnerId = target?.customerId  // `record` is `target`: read before it changes
        var changes = ChangeList()
        changes.compare("name", target?.name, name)
        changes.compare("address", target?.address, address)
        changes.compare("customer", target.map { String($0.customerId) }, String(try owner.requireID()))
        changes.compare("handler", target?.handlerId.map(String.init) ?? "", handler.id.map(String.init) ?? "")
        let wasActive = target?.isActive ?? true
        record.name = name
        record.address = address
        record.customerId = try owner.requireID()
        record.handlerId = handler.id
        record.isActive = target == nil ? true : input.isActive
        let isNew = target == nil, changeText = changes.text
        let ownerChanged = previousOwnerId != nil && previousOwnerId != owner.id
        let ownerNumber = owner.customerNumber
        try await db.transaction { tx in
            try await record.save(on: tx)
            // The object's cases carry their owner in their search documents (`zzw…` tokens); a
            // stale token would hide those cases from the new owner's searches.
            if ownerChanged { try await CaseSearchIndex.refresh(objectId: record.requireID(), on: tx) }
            try await SaveAudit.write(subject: "object \(try record.requireID()) \(record.name)", isNew: isNew,
                                      created: "created, customer \(ownerNumber)", changes: changeText, wasActive: wasActive,
                                      isActive: record.isActive, by: actor, in: context, on: tx)
        }
        return .done(Saved(objectId: try record.requireID(), created: isNew))
    }
}

/// M023: the handler a customer or object is assigned to. A new choice must be an active staff account;
/// a deactivated one already assigned may stay, so saving an unrelated change never fails on it.
enum HandlerAssignment {
    struct Checked { var id: Int? }

    /// nil when the choice is not allowed.
    static func check(_ choice: ChosenId?, current: Int?, on db: any Database) async throws -> Checked? {
        switch choice {
        case nil: return Checked(id: current)
        case .none?: return Checked(id: nil)
        case .invalid?: return nil
        case .id(let id)?:
            if id == current { return Checked(id: id) }
            guard let staff = try await StaffUserRecord.find(id, on: db), staff.isActive else { return nil }
            return Checked(id: id)
        }
    }
}
