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

        public init(customerId: Int?, name: String, shortCode: String, customerNumber: String, singleUser: Bool, isActive: Bool) {
            self.customerId = customerId
            self.name = name
            self.shortCode = shortCode
            self.customerNumber = customerNumber
            self.singleUser = singleUser
            self.isActive = isActive
        }
    }

    public enum Field: String, Hashable, Sendable {
        case name, shortCode = "short_code", customerNumber = "customer_number"
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
        guard problems.isEmpty else { return .problems(problems) }

        let record = target ?? CustomerRecord()
        var changes = ChangeList()
        let wasActive = target?.isActive ?? true
        changes.compare("name", target?.name, name)
        changes.compare("short code", target?.shortCode, shortCode)
        changes.compare("customer number", target?.customerNumber, number)
        changes.compare("single user", target.map { String($0.singleUser) }, String(input.singleUser))
        record.name = name
        record.nameKey = LoginKey.fold(name)
        record.shortCode = shortCode
        record.shortCodeKey = LoginKey.fold(shortCode)
        record.customerNumber = number
        record.singleUser = input.singleUser
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

        public init(objectId: Int?, name: String, address: String, customerNumber: String, isActive: Bool) {
            self.objectId = objectId
            self.name = name
            self.address = address
            self.customerNumber = customerNumber
            self.isActive = isActive
        }
    }

    public enum Field: String, Hashable, Sendable {
        case name, address, customerNumber = "customer_number"
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
        guard problems.isEmpty, let owner else { return .problems(problems) }

        let record = target ?? ObjectRecord()
        let previousOwnerId = target?.customerId  // `record` is `target`: read before it changes
        var changes = ChangeList()
        changes.compare("name", target?.name, name)
        changes.compare("address", target?.address, address)
        changes.compare("customer", target.map { String($0.customerId) }, String(try owner.requireID()))
        let wasActive = target?.isActive ?? true
        record.name = name
        record.address = address
        record.customerId = try owner.requireID()
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
