import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// D5: an administrator adds or edits a case type (name, description, billable, active, order).
/// Names are unique (case-insensitive); every change is a `settings_changed` audit line, subject "case_types".
public enum SaveCaseType {
    public static let descriptionLimit = 1_000

    public struct Input: Sendable {
        /// nil adds a new type.
        public var typeId: Int?
        public var name: String
        public var description: String
        public var order: String
        public var isBillable: Bool
        /// Ignored for a new type, which is always active.
        public var isActive: Bool
        /// B6: what the customer's approve button says; nil keeps it (a new type: "Approved").
        public var approvalLabel: ApprovalLabel?
        /// Issue 12: the name per language; nil leaves the names as they are.
        public var names: [Language: String]?

        public init(typeId: Int?, name: String, description: String, order: String, isBillable: Bool, isActive: Bool,
                    approvalLabel: ApprovalLabel? = nil, names: [Language: String]? = nil) {
            self.names = names
            self.approvalLabel = approvalLabel
            self.typeId = typeId
            self.name = name
            self.description = description
            self.order = order
            self.isBillable = isBillable
            self.isActive = isActive
        }
    }

    public enum Field: String, Hashable, Sendable {
        case name, description, order
        case nameSv = "name_sv", nameDa = "name_da", nameNb = "name_nb", nameEn = "name_en"

        /// Issue 12: the field of the name in `language`.
        public static func name(in language: Language) -> Field {
            switch language {
            case .sv: .nameSv
            case .da: .nameDa
            case .nb: .nameNb
            case .en: .nameEn
            }
        }
    }

    public struct Saved: Sendable, Equatable {
        public var typeId: Int
        public var created: Bool
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Saved, Field> {
        try actor.requireAdmin()
        let db = context.database
        var target: CaseTypeRecord?
        if let id = input.typeId {
            guard let found = try await CaseTypeRecord.find(id, on: db) else { throw OperationError.notFound }
            target = found
        }
        let name = input.name.trimmed, description = input.description.trimmed
        var problems = Problems<Field>()
        let taken = try await CaseTypeRecord.query(on: db).all()
            .contains { $0.id != input.typeId && $0.name.lowercased() == name.lowercased() }
        if let problem = SettingsRules.name(name, taken: taken) { problems.add(.name, problem) }
        if description.count > descriptionLimit { problems.add(.description, ProblemKey.tooLong) }
        let order = SettingsRules.order(input.order)
        if order == .invalid { problems.add(.order, "settings_error_order") }
        for language in TranslatedNames.tooLong(input.names ?? [:]) { problems.add(.name(in: language), ProblemKey.tooLong) }
        guard problems.isEmpty else { return .problems(problems) }
        let names = input.names

        guard let type = target else {
            let record = CaseTypeRecord(name: name, description: description, isBillable: input.isBillable)
            record.approvalLabel = input.approvalLabel == .testedOK ? ApprovalLabel.testedOK.rawValue : nil
            try await db.transaction { tx in
                let next = try await CaseTypeRecord.query(on: tx).max(\.$sortOrder) ?? 0
                record.sortOrder = order.number ?? next + 1
                try await record.create(on: tx)
                var added: [SettingsChange] = [.init(field: "case type added", before: "–", after: record.name)]
                if let names {
                    let newId = try record.requireID()
                    added += try await TranslatedNames.save(names, kind: .caseType, id: newId, label: "case type \(newId)", on: tx)
                }
                try await context.auditSettings(added, subject: "case_types", by: actor, on: tx)
            }
            return .done(Saved(typeId: try record.requireID(), created: true))
        }
        let id = try type.requireID()
        let sortOrder = order.number ?? type.sortOrder
        let changes: [SettingsChange] = [
            .init(field: "case type \(id) name", before: type.name, after: name),
            .init(field: "case type \(id) description", before: type.description, after: description),
            .init(field: "case type \(id) billable", before: .flag(type.isBillable), after: .flag(input.isBillable)),
            .init(field: "case type \(id) active", before: .flag(type.isActive), after: .flag(input.isActive)),
            .init(field: "case type \(id) order", before: String(type.sortOrder), after: String(sortOrder)),
            .init(field: "case type \(id) approval button", before: ApprovalLabel(stored: type.approvalLabel).rawValue,
                  after: (input.approvalLabel ?? ApprovalLabel(stored: type.approvalLabel)).rawValue),
        ].filter { $0.before != $0.after }
        type.name = name
        type.description = description
        type.isBillable = input.isBillable
        type.isActive = input.isActive
        type.sortOrder = sortOrder
        if let label = input.approvalLabel { type.approvalLabel = label == .testedOK ? label.rawValue : nil }
        try await db.transaction { tx in
            try await type.update(on: tx)
            var all = changes
            if let names { all += try await TranslatedNames.save(names, kind: .caseType, id: id, label: "case type \(id)", on: tx) }
            try await context.auditSettings(all, subject: "case_types", by: actor, on: tx)
        }
        return .done(Saved(typeId: id, created: false))
    }
}

/// D5: an administrator deletes a case type; one that cases use is deactivated instead.
public enum RemoveCaseType {
    public struct Input: Sendable {
        public var typeId: Int
        public init(typeId: Int) { self.typeId = typeId }
    }

    /// Nothing to type, so nothing can be wrong with it.
    public enum Field: Hashable, Sendable {}

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Removal, Field> {
        try actor.requireAdmin()
        guard let type = try await CaseTypeRecord.find(input.typeId, on: context.database) else { throw OperationError.notFound }
        let id = try type.requireID()
        let used = try await CatalogueUsage(database: context.database).caseTypeIsUsed(id)
        let removal = try await Removal.apply(to: type, used: used, what: "case type", name: type.name, subject: "case_types",
                                              by: actor, in: context)
        if removal == .deleted { try await CatalogueNames(database: context.database).remove(.caseType, id: id) }
        return .done(removal)
    }
}

/// D5, B4: an administrator adds or edits one extra field of a case type: a label, a kind (text,
/// number, date, choice with options one per line, yes/no), required or not, order, active.
public enum SaveCaseTypeField {
    public static let optionLimit = 50

    public struct Input: Sendable {
        public var typeId: Int
        /// nil adds a new field.
        public var fieldId: Int?
        public var label: String
        /// A `CaseFieldKind` raw value.
        public var kind: String
        public var isRequired: Bool
        /// The options of a choice, one per line.
        public var choices: String
        public var order: String
        /// Ignored for a new field, which is always active.
        public var isActive: Bool
        /// Issue 12: the label per language; nil leaves them as they are.
        public var names: [Language: String]?

        public init(typeId: Int, fieldId: Int?, label: String, kind: String, isRequired: Bool, choices: String,
                    order: String, isActive: Bool, names: [Language: String]? = nil) {
            self.names = names
            self.typeId = typeId
            self.fieldId = fieldId
            self.label = label
            self.kind = kind
            self.isRequired = isRequired
            self.choices = choices
            self.order = order
            self.isActive = isActive
        }
    }

    public enum Field: String, Hashable, Sendable {
        case label, kind, choices, order
        case nameSv = "name_sv", nameDa = "name_da", nameNb = "name_nb", nameEn = "name_en"

        /// Issue 12: the field of the name in `language`.
        public static func name(in language: Language) -> Field {
            switch language {
            case .sv: .nameSv
            case .da: .nameDa
            case .nb: .nameNb
            case .en: .nameEn
            }
        }
    }

    public struct Saved: Sendable, Equatable {
        public var typeId: Int
        public var fieldId: Int
        public var created: Bool
    }

    /// The type and, for an edit, its field — a field of another type is not found.
    static func target(_ input: Input, on db: any Database) async throws -> (CaseTypeRecord, CaseTypeFieldRecord?) {
        guard let type = try await CaseTypeRecord.find(input.typeId, on: db) else { throw OperationError.notFound }
        guard let fieldId = input.fieldId else { return (type, nil) }
        guard let field = try await CaseTypeFieldRecord.find(fieldId, on: db), field.caseTypeId == type.id else {
            throw OperationError.notFound
        }
        return (type, field)
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Saved, Field> {
        try actor.requireAdmin()
        let db = context.database
        let (type, target) = try await target(input, on: db)
        var problems = Problems<Field>()
        let label = input.label.trimmed
        if label.isEmpty { problems.add(.label, ProblemKey.required) }
        else if label.count > SettingsRules.nameLimit { problems.add(.label, ProblemKey.tooLong) }
        let kind = CaseFieldKind(rawValue: input.kind)
        if kind == nil { problems.add(.kind, ProblemKey.chooseFromList) }
        let choices = input.choices.split(whereSeparator: \.isNewline).map { String($0).trimmed }.filter { !$0.isEmpty }
        if kind == .choice {
            if choices.isEmpty { problems.add(.choices, "settings_error_choices_needed") }
            else if choices.count > optionLimit || choices.contains(where: { $0.count > SettingsRules.nameLimit }) {
                problems.add(.choices, ProblemKey.tooLong)
            }
        }
        let order = SettingsRules.order(input.order)
        if order == .invalid { problems.add(.order, "settings_error_order") }
        for language in TranslatedNames.tooLong(input.names ?? [:]) { problems.add(.name(in: language), ProblemKey.tooLong) }
        guard problems.isEmpty, let kind else { return .problems(problems) }
        let names = input.names
        let kept = kind == .choice ? choices : []
        let typeId = try type.requireID()

        guard let field = target else {
            let record = CaseTypeFieldRecord(caseTypeId: typeId, label: label, kind: kind, isRequired: input.isRequired, choices: kept)
            try await db.transaction { tx in
                let next = try await CaseTypeFieldRecord.query(on: tx).filter(\.$caseTypeId == typeId).max(\.$sortOrder) ?? -1
                record.sortOrder = order.number ?? next + 1
                try await record.create(on: tx)
                var added: [SettingsChange] = [.init(field: "case type \(typeId) field added", before: "–",
                                                     after: "\(label) (\(kind.rawValue)\(input.isRequired ? ", required" : ""))")]
                if let names {
                    let newId = try record.requireID()
                    added += try await TranslatedNames.save(names, kind: .typeField, id: newId, label: "field \(newId)", on: tx)
                }
                try await context.auditSettings(added, subject: "case_types", by: actor, on: tx)
            }
            return .done(Saved(typeId: typeId, fieldId: try record.requireID(), created: true))
        }
        let id = try field.requireID()
        let sortOrder = order.number ?? field.sortOrder
        let changes: [SettingsChange] = [
            .init(field: "field \(id) label", before: field.label, after: label),
            .init(field: "field \(id) kind", before: field.kind.rawValue, after: kind.rawValue),
            .init(field: "field \(id) required", before: .flag(field.isRequired), after: .flag(input.isRequired)),
            .init(field: "field \(id) options", before: field.choiceList.joined(separator: " | "), after: kept.joined(separator: " | ")),
            .init(field: "field \(id) order", before: String(field.sortOrder), after: String(sortOrder)),
            .init(field: "field \(id) active", before: .flag(field.isActive), after: .flag(input.isActive)),
        ]
        field.label = label
        field.kind = kind
        field.isRequired = input.isRequired
        field.choices = kept.joined(separator: "\n")
        field.sortOrder = sortOrder
        field.isActive = input.isActive
        try await db.transaction { tx in
            try await field.update(on: tx)
            var all = changes
            if let names { all += try await TranslatedNames.save(names, kind: .typeField, id: id, label: "field \(id)", on: tx) }
            try await context.auditSettings(all, subject: "case_types", by: actor, on: tx)
        }
        return .done(Saved(typeId: typeId, fieldId: id, created: false))
    }
}

/// D5: an administrator deletes an extra field; one that cases have values for is deactivated instead.
public enum RemoveCaseTypeField {
    public struct Input: Sendable {
        public var typeId: Int
        public var fieldId: Int
        public init(typeId: Int, fieldId: Int) {
            self.typeId = typeId
            self.fieldId = fieldId
        }
    }

    /// Nothing to type, so nothing can be wrong with it.
    public enum Field: Hashable, Sendable {}

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Removal, Field> {
        try actor.requireAdmin()
        guard try await CaseTypeRecord.find(input.typeId, on: context.database) != nil,
              let field = try await CaseTypeFieldRecord.find(input.fieldId, on: context.database),
              field.caseTypeId == input.typeId else { throw OperationError.notFound }
        let id = try field.requireID()
        let used = try await CatalogueUsage(database: context.database).fieldIsUsed(id)
        let removal = try await Removal.apply(to: field, used: used, what: "field \(id)", name: field.label, subject: "case_types",
                                              by: actor, in: context)
        if removal == .deleted { try await CatalogueNames(database: context.database).remove(.typeField, id: id) }
        return .done(removal)
    }
}
