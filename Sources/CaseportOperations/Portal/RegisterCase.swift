import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// B4: a portal user registers a case — or, where the deployment takes inquiries first (D2), sends an
/// inquiry that waits in the staff inbox. The form is checked against the case type, the settings and
/// the viewer's creation rule (A7) twice: on "Send" (`check`, which writes nothing, for the
/// confirmation page) and again on "Confirm" (`run`), since the page could have been altered between.
public enum RegisterCase {
    public struct Input: Sendable {
        public var typeId: Int?
        public var subject: String
        public var description: String
        public var category: ChosenId
        public var customer: ChosenId
        public var object: ChosenId
        public var workSiteAddress: String
        public var referenceName: String
        /// The address typed when "send me a copy" is ticked; nil when it is not.
        public var copyEmail: String?
        /// The phone typed when "text me when the company writes" is ticked; nil when it is not.
        public var smsPhone: String?
        /// The case type's fields as typed, by field id.
        public var fieldValues: [Int: String]
        public var author: AuthorChoice
        /// The sender's language, for the copy.
        public var language: Language

        public init(typeId: Int?, subject: String, description: String, category: ChosenId, customer: ChosenId, object: ChosenId,
                    workSiteAddress: String, referenceName: String, copyEmail: String?, smsPhone: String?,
                    fieldValues: [Int: String], author: AuthorChoice, language: Language) {
            self.typeId = typeId
            self.subject = subject
            self.description = description
            self.category = category
            self.customer = customer
            self.object = object
            self.workSiteAddress = workSiteAddress
            self.referenceName = referenceName
            self.copyEmail = copyEmail
            self.smsPhone = smsPhone
            self.fieldValues = fieldValues
            self.author = author
            self.language = language
        }
    }

    public enum Field: Hashable, Sendable {
        case subject, description, category, customer, object, workSiteAddress, referenceName, copyEmail, smsPhone
        /// A field of the case type, by its id.
        case typeField(Int)
        case author(AuthorChoice.Field)
    }

    public enum Registered: Sendable, Equatable {
        case caseCreated(number: Int)
        case inquirySent(id: Int)
    }

    /// Checks everything and writes nothing.
    public static func check(_ input: Input, by actor: PortalActor, in context: OperationContext) async throws -> Problems<Field> {
        let setting = try await NewCaseSetting.load(for: actor, typeId: input.typeId, on: context.database,
                                                    settings: context.requestSettings)
        return try await check(input, setting: setting, by: actor, in: context)
    }

    /// The same with the setting already loaded for `input.typeId` (the form page that follows uses it too).
    public static func check(_ input: Input, setting: NewCaseSetting, by actor: PortalActor,
                             in context: OperationContext) async throws -> Problems<Field> {
        try await checked(input, setting: setting, by: actor, in: context).problems
    }

    /// `catalogue`, `reach`: what the caller already has of the setting (`NewCaseSetting.load`).
    public static func run(_ input: Input, by actor: PortalActor, in context: OperationContext,
                           catalogue: NewCaseChoices.Catalogue? = nil, reach: NewCaseChoices.Reach? = nil) async throws
        -> Outcome<Registered, Field> {
        let setting = try await NewCaseSetting.load(for: actor, typeId: input.typeId, on: context.database,
                                                    settings: context.requestSettings, catalogue: catalogue, reach: reach)
        let (problems, checked) = try await checked(input, setting: setting, by: actor, in: context)
        guard problems.isEmpty, let checked else { return .problems(problems) }
        let notify = context.notifications
        return .done(try await context.database.transaction { tx in
            let author = try await input.author.resolve(for: actor, on: tx)
            var new = checked
            new.createdByName = author.name
            new.createdByPersonId = author.personId
            // D2: where the deployment takes inquiries first, the submission waits in the staff inbox.
            if setting.settings.inquiriesFirst {
                let inquiry = try await Inquiries(database: tx).submit(new, senderEmail: author.email ?? actor.email,
                                                                      senderPhone: author.phone ?? actor.phone)
                if let email = new.copyEmail {
                    try await Notifications.inquiryCopy(notify, language: input.language, to: email, subject: new.subject,
                                                        description: new.description).create(on: tx)
                }
                return .inquirySent(id: try inquiry.requireID())
            }
            let record = try await CaseCreation.create(new, on: tx)
            if let email = new.copyEmail {
                // The case number is known only now.
                let copy = Notifications.caseCopy(notify, language: input.language, to: email, subject: new.subject,
                                                  description: new.description)
                copy.subject = copy.subject.replacingOccurrences(of: "{number}", with: String(record.number))
                copy.body = copy.body.replacingOccurrences(of: "{number}", with: String(record.number))
                copy.caseId = record.id
                try await OutboxRecord.insert([copy], on: tx)
            }
            // D3: the case's first event (last in the transaction: it takes the event counter).
            try await CaseEvents.append(.created(channel: .portal), caseId: try record.requireID(),
                                        by: EventActor(portalUserId: actor.userId, name: author.name), at: record.createdAt,
                                        audience: .customer, on: tx)
            return .caseCreated(number: record.number)
        })
    }

    /// Every problem of the input, and the case to save when there are none.
    static func checked(_ input: Input, setting: NewCaseSetting, by actor: PortalActor,
                        in context: OperationContext) async throws -> (problems: Problems<Field>, new: NewCase?) {
        var problems = Problems<Field>()
        let subject = input.subject.trimmed, description = input.description.trimmed
        if subject.isEmpty { problems.add(.subject, ProblemKey.required) }
        if subject.count > InputLimits.subject { problems.set(.subject, ProblemKey.tooLong) }
        if description.isEmpty { problems.add(.description, ProblemKey.required) }
        if description.count > InputLimits.description { problems.set(.description, ProblemKey.tooLong) }

        let category = input.category.checked(against: Set(setting.categories.map(\.id)))
        if category == .invalid { problems.add(.category, ProblemKey.chooseFromList) }
        // D5 "category mandatory" (only where there is a category to choose).
        if setting.settings.categoryRequired, category.value == nil, category != .invalid, !setting.categories.isEmpty {
            problems.add(.category, "new_case_error_category_required")
        }

        let rule = setting.rule
        var customerId = rule.customerFixed ?? input.customer.value
        let objectId = rule.objectFixed ?? input.object.value
        // Only what the form offers: a deactivated object (D6) is refused even when its id is forged.
        let object = objectId.flatMap { id in setting.reach.objects.first { $0.id == id && ($0.isActive || id == rule.objectFixed) } }
        if objectId != nil && object == nil { problems.add(.object, ProblemKey.chooseFromList) }
        if customerId == nil, let object { customerId = object.customerId }
        if let customerId, let object, object.customerId != customerId { problems.set(.object, "new_case_error_object_customer") }
        if problems[.object] == nil, !rule.allows(customerId: customerId, objectId: objectId, objectCustomerId: object?.customerId,
                                                  customerRequired: setting.settings.customerRequired,
                                                  objectRequired: setting.settings.objectRequired) {
            if setting.settings.objectRequired && objectId == nil { problems.add(.object, "new_case_error_object_required") }
            else if setting.settings.customerRequired && customerId == nil { problems.add(.customer, "new_case_error_customer_required") }
            else { problems.add(.customer, ProblemKey.chooseFromList) }
        }

        let address = input.workSiteAddress.trimmed, reference = input.referenceName.trimmed
        if address.count > InputLimits.name { problems.add(.workSiteAddress, ProblemKey.tooLong) }
        if reference.count > InputLimits.name { problems.add(.referenceName, ProblemKey.tooLong) }

        var copyEmail: String?
        if let typed = input.copyEmail?.trimmed {
            if typed.isEmpty, actor.isShared {
                // A8: on a shared account an empty copy address means the chosen person's.
                if let email = try await input.author.email(for: actor, on: context.database) { copyEmail = email }
                else { problems.add(.copyEmail, ProblemKey.required) }
            }
            else if typed.isEmpty { problems.add(.copyEmail, ProblemKey.required) }
            else if !EmailAddress.isValid(typed) { problems.add(.copyEmail, ProblemKey.invalidEmail) }
            else { copyEmail = typed }
        }
        var smsPhone: String?
        if setting.settings.smsEnabled, let phone = input.smsPhone?.trimmed {
            let digits = phone.filter(\.isNumber)
            if phone.isEmpty { problems.add(.smsPhone, ProblemKey.required) }
            else if digits.count < 6 || phone.count > InputLimits.phone || !phone.allSatisfy({ $0.isNumber || " +-()".contains($0) }) {
                problems.add(.smsPhone, "form_invalid_phone")
            } else { smsPhone = phone }
        }

        var fieldValues: [NewCase.FieldValue] = []
        for field in setting.fields {
            let id = field.id
            var raw = (input.fieldValues[id] ?? "").trimmed
            // A3: a date is typed as the sender's language writes it and stored as yyyy-mm-dd.
            if field.kind == .date, let day = input.language.parseDay(raw) { raw = day }
            if raw.isEmpty {
                if field.isRequired { problems.add(.typeField(id), ProblemKey.required) }
                continue
            }
            if raw.count > InputLimits.fieldValue { problems.add(.typeField(id), ProblemKey.tooLong); continue }
            if let problem = TypeFieldRule.problem(with: raw, kind: field.kind, choices: field.choiceList) {
                problems.add(.typeField(id), problem)
            } else {
                fieldValues.append(.init(fieldId: id, label: field.label, value: raw))
            }
        }
        try await input.author.check(for: actor, into: &problems, field: { .author($0) }, on: context.database)
        guard problems.isEmpty else { return (problems, nil) }

        var new = NewCase(subject: subject, description: description, createdByName: actor.name, origin: .portal)
        new.caseTypeId = setting.caseType?.id
        new.categoryId = category.value
        new.customerId = customerId
        new.objectId = objectId
        new.primaryContactId = rule.primaryContactId
        new.workSiteAddress = address.isEmpty ? nil : address
        new.referenceName = reference.isEmpty ? nil : reference
        new.copyEmail = copyEmail
        new.smsPhone = smsPhone
        new.fieldValues = fieldValues
        new.createdByUserId = actor.userId
        return (problems, new)
    }
}

/// The value rule of a case type's field (B4): numbers, dates as yyyy-mm-dd, one of the choices, yes/no.
enum TypeFieldRule {
    /// The problem's locale key, or nil when the value fits the kind.
    static func problem(with raw: String, kind: CaseFieldKind, choices: [String]) -> String? {
        switch kind {
        case .text: return nil
        case .number:
            return Double(raw.replacingOccurrences(of: ",", with: ".").replacingOccurrences(of: " ", with: "")) == nil
                ? "form_invalid_number" : nil
        case .date: return CalendarDay.parse(raw) == nil ? "form_invalid_date" : nil
        case .choice: return choices.contains(raw) ? nil : ProblemKey.chooseFromList
        case .yesno: return raw == "yes" || raw == "no" ? nil : ProblemKey.chooseFromList
        }
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
