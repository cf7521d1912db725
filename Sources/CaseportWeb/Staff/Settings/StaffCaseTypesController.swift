import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// Case types and their extra fields (D5, used by the portal's new-case form B4): kinds text, number,
/// date, choice (with options) and yes/no; required or not; billable types; order. A type or field
/// that cases use is deactivated instead of deleted. Every change writes an audit line.
struct StaffCaseTypesController: RouteCollection {
    static let nameLimit = 100
    static let descriptionLimit = 1_000
    static let optionLimit = 50

    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.caseTypes, use: list)
        routes.on(StaffRoute.caseTypeCreate, use: create)
        routes.on(StaffRoute.caseType, use: show)
        routes.on(StaffRoute.caseTypeUpdate, use: update)
        routes.on(StaffRoute.caseTypeDelete, use: remove)
        routes.on(StaffRoute.caseTypeFieldAdd, use: addField)
        routes.on(StaffRoute.caseTypeFieldUpdate, use: updateField)
        routes.on(StaffRoute.caseTypeFieldDelete, use: removeField)
    }

    struct TypeRow: Encodable {
        var id: Int
        var name: String
        var billable: Bool
        var active: Bool
        var fieldCount: Int
        var order: Int
    }

    struct ListPage: Encodable {
        var layout: Layout
        var tabs: [SettingsTab]
        var notice: String?
        var types: [TypeRow]
        var values: [String: String]
        var errors: [String: String]
        var hasErrors: Bool
    }

    typealias KindOption = SelectOption

    struct FieldRow: Encodable {
        var id: Int?
        var values: [String: String]
        var errors: [String: String]
        var kinds: [KindOption]
        var active: Bool
    }

    struct TypePage: Encodable {
        var layout: Layout
        var tabs: [SettingsTab]
        var id: Int
        var notice: String?
        var values: [String: String]
        var errors: [String: String]
        var hasErrors: Bool
        var fields: [FieldRow]
        var newField: FieldRow
    }

    // MARK: Types

    func list(request: Request) async throws -> Response {
        let notice = request.notice([.deleted, .deactivated], prefix: "settings_notice_")
        return try await renderList(request, values: [:], errors: [:], notice: notice)
    }

    func renderList(_ request: Request, values: [String: String], errors: [String: String], notice: String?) async throws -> Response {
        let types = try await CaseTypeRecord.query(on: request.db).sort(\.$sortOrder).sort(\.$id).all()
        let fields = try await CaseTypeFieldRecord.query(on: request.db).filter(\.$isActive == true).all()
        let counts = Dictionary(grouping: fields, by: \.caseTypeId).mapValues(\.count)
        let page = ListPage(
            layout: Layout(request, title: request.t("settings_types_title"), area: "staff"),
            tabs: SettingsTab.all(request), notice: notice,
            types: types.map { TypeRow(id: $0.id!, name: $0.name, billable: $0.isBillable, active: $0.isActive,
                                       fieldCount: counts[$0.id!] ?? 0, order: $0.sortOrder) },
            values: values, errors: errors, hasErrors: !errors.isEmpty)
        let response = try await request.view.render("staff/settings-types", page).encodeResponse(for: request).get()
        if !errors.isEmpty { response.status = .unprocessableEntity }
        return response
    }

    /// Checks a type's form; the problems are keyed by field name.
    func checkType(_ values: [String: String], request: Request, id: Int?) async throws -> [String: String] {
        var errors: [String: String] = [:]
        let name = (values["name"] ?? "").trimmed
        if name.isEmpty { errors["name"] = request.t("form_required") }
        else if name.count > Self.nameLimit { errors["name"] = request.t("form_too_long") }
        else if try await CaseTypeRecord.query(on: request.db).all().contains(where: { $0.id != id && $0.name.lowercased() == name.lowercased() }) {
            errors["name"] = request.t("settings_error_name_taken")
        }
        if (values["description"] ?? "").trimmed.count > Self.descriptionLimit { errors["description"] = request.t("form_too_long") }
        if let order = values["order"]?.trimmed, !order.isEmpty, Int(order).map({ (-99_999...99_999).contains($0) }) != true {
            errors["order"] = request.t("settings_error_order")
        }
        return errors
    }

    func create(request: Request) async throws -> Response {
        let values = request.formValues(longest: Self.descriptionLimit)
        let errors = try await checkType(values, request: request, id: nil)
        guard errors.isEmpty else { return try await renderList(request, values: values, errors: errors, notice: nil) }
        let record = CaseTypeRecord(name: (values["name"] ?? "").trimmed, description: (values["description"] ?? "").trimmed,
                                    isBillable: values["billable"] != nil)
        try await request.db.transaction { tx in
            let next = try await CaseTypeRecord.query(on: tx).max(\.$sortOrder) ?? 0
            record.sortOrder = Int((values["order"] ?? "").trimmed) ?? next + 1
            try await record.create(on: tx)
            try await SettingsAudit.record([.init(field: "case type added", before: "–", after: record.name)],
                                           subject: "case_types", request: request, on: tx)
        }
        return request.redirect(to: StaffRoute.caseType, record.id!, notice: .added)
    }

    func findType(_ request: Request) async throws -> CaseTypeRecord {
        guard let id = request.parameters.get("id").flatMap(Int.init),
              let record = try await CaseTypeRecord.find(id, on: request.db) else { throw Abort(.notFound) }
        return record
    }

    static func values(of type: CaseTypeRecord) -> [String: String] {
        var values = ["name": type.name, "description": type.description, "order": String(type.sortOrder)]
        if type.isBillable { values["billable"] = "1" }
        if type.isActive { values["active"] = "1" }
        return values
    }

    static func values(of field: CaseTypeFieldRecord) -> [String: String] {
        var values = ["label": field.label, "kind": field.kind.rawValue, "choices": field.choices, "order": String(field.sortOrder)]
        if field.isRequired { values["required"] = "1" }
        return values
    }

    func show(request: Request) async throws -> Response {
        let type = try await findType(request)
        let notice = request.notice([.saved, .added, .deleted, .deactivated], prefix: "settings_notice_")
        return try await renderType(request, type: type, notice: notice)
    }

    /// - Parameters: `typeForm` / `fieldForm`: a form that failed, with what was typed and its problems.
    func renderType(_ request: Request, type: CaseTypeRecord, notice: String? = nil,
                    typeForm: (values: [String: String], errors: [String: String])? = nil,
                    fieldForm: (id: Int?, values: [String: String], errors: [String: String])? = nil) async throws -> Response {
        let fields = try await CaseTypeFieldRecord.query(on: request.db).filter(\.$caseTypeId == type.requireID())
            .sort(\.$sortOrder).sort(\.$id).all()
        func kinds(_ selected: String?) -> [KindOption] {
            CaseFieldKind.allCases.map { KindOption(value: $0.rawValue, name: request.t("settings_kind_\($0.rawValue)"), selected: selected == $0.rawValue) }
        }
        func row(_ field: CaseTypeFieldRecord) -> FieldRow {
            if let fieldForm, fieldForm.id == field.id {
                return FieldRow(id: field.id, values: fieldForm.values, errors: fieldForm.errors, kinds: kinds(fieldForm.values["kind"]), active: field.isActive)
            }
            return FieldRow(id: field.id, values: Self.values(of: field), errors: [:], kinds: kinds(field.kind.rawValue), active: field.isActive)
        }
        var newField = FieldRow(id: nil, values: [:], errors: [:], kinds: kinds("text"), active: true)
        if let fieldForm, fieldForm.id == nil {
            newField = FieldRow(id: nil, values: fieldForm.values, errors: fieldForm.errors, kinds: kinds(fieldForm.values["kind"]), active: true)
        }
        let errors = typeForm?.errors ?? [:]
        let page = TypePage(
            layout: Layout(request, title: "\(request.t("case_type")): \(type.name)", area: "staff"),
            tabs: SettingsTab.all(request), id: try type.requireID(), notice: notice,
            values: typeForm?.values ?? Self.values(of: type), errors: errors,
            hasErrors: !errors.isEmpty || !(fieldForm?.errors.isEmpty ?? true),
            fields: fields.map(row), newField: newField)
        let response = try await request.view.render("staff/settings-type", page).encodeResponse(for: request).get()
        if page.hasErrors { response.status = .unprocessableEntity }
        return response
    }

    func update(request: Request) async throws -> Response {
        let type = try await findType(request)
        let values = request.formValues(longest: Self.descriptionLimit)
        let errors = try await checkType(values, request: request, id: type.id)
        guard errors.isEmpty else { return try await renderType(request, type: type, typeForm: (values, errors)) }
        let id = try type.requireID()
        let name = (values["name"] ?? "").trimmed, description = (values["description"] ?? "").trimmed
        let billable = values["billable"] != nil, active = values["active"] != nil
        let order = Int((values["order"] ?? "").trimmed) ?? type.sortOrder
        let changes: [SettingsAudit.Change] = [
            .init(field: "case type \(id) name", before: type.name, after: name),
            .init(field: "case type \(id) description", before: type.description, after: description),
            .init(field: "case type \(id) billable", before: .flag(type.isBillable), after: .flag(billable)),
            .init(field: "case type \(id) active", before: .flag(type.isActive), after: .flag(active)),
            .init(field: "case type \(id) order", before: String(type.sortOrder), after: String(order)),
        ]
        type.name = name
        type.description = description
        type.isBillable = billable
        type.isActive = active
        type.sortOrder = order
        try await request.db.transaction { tx in
            try await type.update(on: tx)
            try await SettingsAudit.record(changes, subject: "case_types", request: request, on: tx)
        }
        return request.redirect(to: StaffRoute.caseType, id, notice: .saved)
    }

    func remove(request: Request) async throws -> Response {
        let type = try await findType(request)
        let id = try type.requireID()
        let used = try await CatalogueUsage(database: request.db).caseTypeIsUsed(id)
        try await request.db.transaction { tx in
            if used {
                type.isActive = false
                try await type.update(on: tx)
            } else {
                try await type.delete(on: tx)
            }
            try await SettingsAudit.record([.init(field: "case type \(used ? "deactivated" : "deleted")", before: type.name, after: "–")],
                                           subject: "case_types", request: request, on: tx)
        }
        return used ? request.redirect(to: StaffRoute.caseType, id, notice: .deactivated)
            : request.redirect(to: StaffRoute.caseTypes, notice: .deleted)
    }

    // MARK: Fields

    struct FieldInput {
        var label: String
        var kind: CaseFieldKind
        var required: Bool
        var choices: [String]
        var order: Int?
    }

    func checkField(_ values: [String: String], request: Request) -> (FieldInput?, [String: String]) {
        var errors: [String: String] = [:]
        let label = (values["label"] ?? "").trimmed
        if label.isEmpty { errors["label"] = request.t("form_required") }
        else if label.count > Self.nameLimit { errors["label"] = request.t("form_too_long") }
        let kind = values["kind"].flatMap(CaseFieldKind.init(rawValue:))
        if kind == nil { errors["kind"] = request.t("form_choose_from_list") }
        let choices = (values["choices"] ?? "").split(whereSeparator: \.isNewline).map { String($0).trimmed }.filter { !$0.isEmpty }
        if kind == .choice {
            if choices.isEmpty { errors["choices"] = request.t("settings_error_choices_needed") }
            else if choices.count > Self.optionLimit || choices.contains(where: { $0.count > Self.nameLimit }) {
                errors["choices"] = request.t("form_too_long")
            }
        }
        var order: Int?
        if let text = values["order"]?.trimmed, !text.isEmpty {
            if let number = Int(text), (-99_999...99_999).contains(number) { order = number } else { errors["order"] = request.t("settings_error_order") }
        }
        guard errors.isEmpty, let kind else { return (nil, errors) }
        return (FieldInput(label: label, kind: kind, required: values["required"] != nil,
                           choices: kind == .choice ? choices : [], order: order), errors)
    }

    func addField(request: Request) async throws -> Response {
        let type = try await findType(request)
        let values = request.formValues(longest: 5_000)
        let (input, errors) = checkField(values, request: request)
        guard let input else { return try await renderType(request, type: type, fieldForm: (nil, values, errors)) }
        let typeId = try type.requireID()
        try await request.db.transaction { tx in
            let next = try await CaseTypeFieldRecord.query(on: tx).filter(\.$caseTypeId == typeId).max(\.$sortOrder) ?? -1
            try await CaseTypeFieldRecord(caseTypeId: typeId, label: input.label, kind: input.kind, isRequired: input.required,
                                          choices: input.choices, sortOrder: input.order ?? next + 1).create(on: tx)
            try await SettingsAudit.record([.init(field: "case type \(typeId) field added", before: "–",
                                                  after: "\(input.label) (\(input.kind.rawValue)\(input.required ? ", required" : ""))")],
                                           subject: "case_types", request: request, on: tx)
        }
        return request.redirect(to: StaffRoute.caseType, typeId, notice: .added, fragment: "fields")
    }

    func findField(_ request: Request, type: CaseTypeRecord) async throws -> CaseTypeFieldRecord {
        guard let id = request.parameters.get("field").flatMap(Int.init),
              let field = try await CaseTypeFieldRecord.find(id, on: request.db),
              field.caseTypeId == type.id else { throw Abort(.notFound) }
        return field
    }

    func updateField(request: Request) async throws -> Response {
        let type = try await findType(request)
        let field = try await findField(request, type: type)
        let values = request.formValues(longest: 5_000)
        let (input, errors) = checkField(values, request: request)
        guard let input else { return try await renderType(request, type: type, fieldForm: (field.id, values, errors)) }
        let active = values["active"] != nil
        let id = try field.requireID(), typeId = try type.requireID()
        let changes: [SettingsAudit.Change] = [
            .init(field: "field \(id) label", before: field.label, after: input.label),
            .init(field: "field \(id) kind", before: field.kind.rawValue, after: input.kind.rawValue),
            .init(field: "field \(id) required", before: .flag(field.isRequired), after: .flag(input.required)),
            .init(field: "field \(id) options", before: field.choiceList.joined(separator: " | "), after: input.choices.joined(separator: " | ")),
            .init(field: "field \(id) order", before: String(field.sortOrder), after: String(input.order ?? field.sortOrder)),
            .init(field: "field \(id) active", before: .flag(field.isActive), after: .flag(active)),
        ]
        field.label = input.label
        field.kind = input.kind
        field.isRequired = input.required
        field.choices = input.choices.joined(separator: "\n")
        field.sortOrder = input.order ?? field.sortOrder
        field.isActive = active
        try await request.db.transaction { tx in
            try await field.update(on: tx)
            try await SettingsAudit.record(changes, subject: "case_types", request: request, on: tx)
        }
        return request.redirect(to: StaffRoute.caseType, typeId, notice: .saved, fragment: "field-\(id)")
    }

    func removeField(request: Request) async throws -> Response {
        let type = try await findType(request)
        let field = try await findField(request, type: type)
        let id = try field.requireID(), typeId = try type.requireID()
        let used = try await CatalogueUsage(database: request.db).fieldIsUsed(id)
        try await request.db.transaction { tx in
            if used {
                field.isActive = false
                try await field.update(on: tx)
            } else {
                try await field.delete(on: tx)
            }
            try await SettingsAudit.record([.init(field: "field \(id) \(used ? "deactivated" : "deleted")", before: field.label, after: "–")],
                                           subject: "case_types", request: request, on: tx)
        }
        return request.redirect(to: StaffRoute.caseType, typeId, notice: used ? .deactivated : .deleted, fragment: "fields")
    }
}
