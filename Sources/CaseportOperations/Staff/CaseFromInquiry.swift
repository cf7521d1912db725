import CaseportCore
import CaseportStore
import FluentKit

/// D2: staff make a case from an inquiry, after editing what it said, and optionally tell the customer
/// and the assigned supplier (e-mail, plus SMS when it is on; in the supplier's language). One transaction claims the inquiry,
/// creates the case, queues the notifications and assigns the supplier (a timeline event); a second
/// submit, or a colleague at the same time, gets `OperationError.alreadyDone`.
public enum CaseFromInquiry {
    public struct Input: Sendable {
        public var inquiryId: Int
        public var subject: String
        public var description: String
        public var category: ChosenId
        public var type: ChosenId
        public var priority: ChosenId
        public var handler: ChosenId
        public var supplier: ChosenId
        public var customer: ChosenId
        public var object: ChosenId
        public var workSiteAddress: String
        public var referenceName: String
        public var senderName: String
        public var senderEmail: String
        public var senderPhone: String
        public var notifyCustomer: Bool
        public var notifySupplier: Bool
        /// The staff member's language: the customer's notice uses the customer's own when known.
        public var language: Language
        /// The form's "also send SMS" switch (D2, AP seed): the notices go by SMS too only when it is on
        /// and the deployment has SMS switched on.
        public var sendSms: Bool

        public init(inquiryId: Int, subject: String, description: String, category: ChosenId, type: ChosenId, priority: ChosenId,
                    handler: ChosenId, supplier: ChosenId, customer: ChosenId, object: ChosenId, workSiteAddress: String,
                    referenceName: String, senderName: String, senderEmail: String, senderPhone: String, notifyCustomer: Bool,
                    notifySupplier: Bool, language: Language, sendSms: Bool = false) {
            self.sendSms = sendSms
            self.inquiryId = inquiryId
            self.subject = subject
            self.description = description
            self.category = category
            self.type = type
            self.priority = priority
            self.handler = handler
            self.supplier = supplier
            self.customer = customer
            self.object = object
            self.workSiteAddress = workSiteAddress
            self.referenceName = referenceName
            self.senderName = senderName
            self.senderEmail = senderEmail
            self.senderPhone = senderPhone
            self.notifyCustomer = notifyCustomer
            self.notifySupplier = notifySupplier
            self.language = language
        }
    }

    public enum Field: String, Hashable, Sendable {
        case subject, description, category, type, priority, handler, supplier, customer, object
        case workSiteAddress = "work_site_address", referenceName = "reference_name"
        case senderName = "sender_name", senderEmail = "sender_email", senderPhone = "sender_phone"
        case notifyCustomer = "notify_customer", notifySupplier = "notify_supplier"
    }

    /// Returns the new case's number.
    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        let db = context.database
        guard let inquiry = try await InquiryRecord.find(input.inquiryId, on: db) else { throw OperationError.notFound }
        guard inquiry.status == .new else { throw OperationError.alreadyDone }
        let catalogue = try await StaffCatalogue.load(on: db)
        let choices = StaffCaseChoices(subject: input.subject, description: input.description, category: input.category,
                                       type: input.type, priority: input.priority, handler: input.handler, supplier: input.supplier,
                                       customer: input.customer, object: input.object)
        let (checked, choiceProblems) = try await choices.check(against: catalogue, on: db)
        var problems = Problems<Field>()
        // `Field` has a case for each of the form's nine choice fields, under the same names.
        problems.add(choiceProblems) { Field(rawValue: $0.rawValue)! }
        let (subject, description) = (checked.subject, checked.description)
        let (category, type, priority) = (checked.category, checked.type, checked.priority)
        let (handler, supplierId, customer, object) = (checked.handler, checked.supplier, checked.customer, checked.object)
        func short(_ field: Field, _ text: String, _ limit: Int) -> String? {
            let text = text.trimmed
            if text.count > limit { problems.add(field, ProblemKey.tooLong) }
            return text.isEmpty ? nil : text
        }
        let address = short(.workSiteAddress, input.workSiteAddress, 300)
        let reference = short(.referenceName, input.referenceName, 200)
        let senderName = short(.senderName, input.senderName, 200)
        let senderEmail = short(.senderEmail, input.senderEmail, 254)
        let senderPhone = short(.senderPhone, input.senderPhone, 40)
        if senderName == nil { problems.add(.senderName, ProblemKey.required) }
        if let senderEmail, !EmailAddress.isValid(senderEmail) { problems.add(.senderEmail, "inbox_error_email") }
        if input.notifyCustomer, senderEmail == nil, senderPhone == nil { problems.add(.notifyCustomer, "inbox_error_no_customer_address") }
        // The chosen supplier's addresses and language, for the notice (the catalogue has its name only).
        var supplier: SupplierRecord?
        if let supplierId { supplier = try await SupplierRecord.find(supplierId, on: db) }
        if input.notifySupplier {
            if supplier == nil { problems.add(.notifySupplier, "inbox_error_no_supplier") }
            else if supplier?.email == nil, supplier?.phone == nil { problems.add(.notifySupplier, "inbox_error_no_supplier_address") }
        }
        guard problems.isEmpty else { return .problems(problems) }

        var new = Inquiries.newCase(from: inquiry)
        new.subject = subject
        new.description = description
        new.categoryId = category
        new.caseTypeId = type
        new.priorityId = priority
        new.handlerId = handler
        new.customerId = customer
        new.objectId = object
        new.workSiteAddress = address
        new.referenceName = reference
        new.createdByName = senderName ?? inquiry.senderName
        // A case with no type keeps no type fields; a different type keeps the values as they were asked.
        if type == nil { new.fieldValues = [] }
        let sms = try await SettingsStore(database: db).load().smsEnabled && input.sendSms
        let customerLanguage = try await InquiryNotices.customerLanguage(of: inquiry, otherwise: input.language, on: db)
        let notify = context.notifications
        let (notifyCustomer, notifySupplier) = (input.notifyCustomer, input.notifySupplier)
        let supplierName = supplier?.name, supplierEmail = supplier?.email, supplierPhone = supplier?.phone
        // Issue 12: the supplier reads their own language (M030), not the staff member's; none set: the deployment's.
        let supplierLanguage = supplier?.language.flatMap(Language.init(rawValue:)) ?? Language.fallback
        let created = new
        let number = try await db.transaction { tx -> Int in
            let record: CaseRecord
            do {
                record = try await Inquiries(database: tx).createCase(
                    inquiryId: input.inquiryId, created, processedBy: actor.name, staffId: actor.staffId) { record in
                    var rows: [OutboxRecord] = []
                    if notifyCustomer {
                        rows += Notifications.inquiryAccepted(notify, email: senderEmail, phone: senderPhone, sms: sms,
                                                              language: customerLanguage, caseNumber: record.number, subject: record.subject,
                                                              caseId: record.id)
                    }
                    if notifySupplier {
                        rows += Notifications.supplierAssigned(notify, language: supplierLanguage, email: supplierEmail, phone: supplierPhone,
                                                               sms: sms, caseNumber: record.number, subject: record.subject,
                                                               address: address ?? "")
                    }
                    return rows
                }
            } catch Inquiries.InquiryError.alreadyProcessed {
                throw OperationError.alreadyDone
            }
            try await Chats(database: tx).attachChats(ofInquiry: input.inquiryId, toCase: try record.requireID())
            // The supplier is assigned through the case's own edit path so the timeline shows it.
            if let supplierId {
                try await StaffCases(database: tx).edit(
                    caseId: try record.requireID(), expectedVersion: record.version,
                    changes: [.init(field: .supplier, before: nil, after: supplierName) { $0.supplierId = supplierId }],
                    by: actor.caseActor, at: context.now)
            }
            return record.number
        }
        return .done(number)
    }
}

/// D2: several inquiries at once — each becomes a warranty-claim case with its text unchanged, or they
/// are deleted. Already processed ones are skipped.
public enum ProcessInquiries {
    public enum Action: Sendable {
        /// Cases under the warranty-claim category (`WarrantyCategory`); `notifyCustomer` tells each sender.
        /// `language` is the staff member's: it names a new warranty category and is the fallback for notices.
        /// `sendSms`: the notices go by SMS too (when the deployment has SMS on).
        case createCases(notifyCustomer: Bool, language: Language, sendSms: Bool = false)
        case delete
    }

    /// How many inquiries became cases or were deleted.
    public static func run(ids: [Int], _ action: Action, by actor: StaffActor, in context: OperationContext) async throws -> Int {
        let db = context.database
        let inquiries = Inquiries(database: db)
        switch action {
        case .delete:
            return try await inquiries.delete(ids: ids)
        case .createCases(let notifyCustomer, let language, let sendSms):
            let warranty = try await WarrantyCategory.id(for: actor, language: language, in: context)
            let sms = try await SettingsStore(database: db).load().smsEnabled && sendSms
            let notify = context.notifications
            var created = 0
            for id in ids {
                guard let inquiry = try await inquiries.find(id: id), inquiry.status == .new else { continue }
                var new = Inquiries.newCase(from: inquiry)
                new.categoryId = warranty
                let customerLanguage = try await InquiryNotices.customerLanguage(of: inquiry, otherwise: language, on: db)
                let (email, phone) = (inquiry.senderEmail, inquiry.senderPhone)
                do {
                    let record = try await inquiries.createCase(inquiryId: id, new, processedBy: actor.name, staffId: actor.staffId) { record in
                        guard notifyCustomer else { return [] }
                        return Notifications.inquiryAccepted(notify, email: email, phone: phone, sms: sms, language: customerLanguage,
                                                             caseNumber: record.number, subject: record.subject, caseId: record.id)
                    }
                    try await Chats(database: db).attachChats(ofInquiry: id, toCase: try record.requireID())
                    created += 1
                } catch Inquiries.InquiryError.alreadyProcessed {
                    continue
                }
            }
            return created
        }
    }
}

enum InquiryNotices {
    /// The sender's own language when they have a portal account that chose one.
    static func customerLanguage(of inquiry: InquiryRecord, otherwise fallback: Language, on db: any Database) async throws -> Language {
        if let userId = inquiry.createdByUserId, let user = try await PortalUserRecord.find(userId, on: db),
           let code = user.language, let saved = Language(rawValue: code) {
            return saved
        }
        return fallback
    }
}
