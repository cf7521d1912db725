import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Case types and their extra fields (D5, used by the portal's new-case form B4): kinds text, number,
/// date, choice (with options) and yes/no; required or not; billable types; order. A type or field
/// that cases use is deactivated instead of deleted. The changes are operations (`SaveCaseType`,
/// `RemoveCaseType`, `SaveCaseTypeField`, `RemoveCaseTypeField`), which write the audit lines.
struct StaffCaseTypesController: RouteCollection {

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
        var values: CaseTypeForm
        var errors: [String: String]
        var hasErrors: Bool
    }

    typealias KindOption = SelectOption

    struct FieldRow: Encodable {
        var id: Int?
        var values: CaseTypeFieldForm
        var errors: [String: String]
        var kinds: [KindOption]
        var active: Bool
        /// Issue 12: the label per language; open when one is set or wrong.
        var names: [TranslatedNameInput]
        var namesOpen: Bool
    }

    struct TypePage: Encodable {
        var layout: Layout
        var tabs: [SettingsTab]
        var id: Int
        var notice: String?
        var values: CaseTypeForm
        var errors: [String: String]
        var hasErrors: Bool
        var fields: [FieldRow]
        var newField: FieldRow
        /// Issue 12: the type's name per language.
        var typeNames: [TranslatedNameInput]
        var typeNamesOpen: Bool
    }

    // MARK: Types

    func list(request: Request) async throws -> Response {
        let notice = request.notice([.deleted, .deactivated], prefix: "settings_notice_")
        return try await renderList(request, form: CaseTypeForm(), errors: [:], notice: notice)
    }

    func renderList(_ request: Request, form: CaseTypeForm, errors: [String: String], notice: String?) async throws -> Response {
        let types = try await CaseTypeRecord.query(on: request.database).sort(\.$sortOrder).sort(\.$id).all()
        let fields = try await CaseTypeFieldRecord.query(on: request.database).filter(\.$isActive == true).all()
        let counts = Dictionary(grouping: fields, by: \.caseTypeId).mapValues(\.count)
        let page = ListPage(
            layout: Layout(request, title: request.t("settings_types_title"), area: "staff"),
            tabs: SettingsTab.all(request), notice: notice,
            types: types.map { TypeRow(id: $0.id!, name: $0.name, billable: $0.isBillable, active: $0.isActive,
                                       fieldCount: counts[$0.id!] ?? 0, order: $0.sortOrder) },
            values: form, errors: errors, hasErrors: !errors.isEmpty)
        let response = try await request.view.render("staff/settings-types", page).encodeResponse(for: request).get()
        if !errors.isEmpty { response.status = .unprocessableEntity }
        return response
    }

    func create(request: Request) async throws -> Response {
        let form = try request.form(CaseTypeForm.self)
        switch try await SaveCaseType.run(form.input(typeId: nil), by: try request.staffMember(), in: request.operations) {
        case .done(let saved):
            return request.redirect(to: StaffRoute.caseType, saved.typeId, notice: .added)
        case .problems(let problems):
            return try await renderList(request, form: form, errors: request.texts(problems), notice: nil)
        }
    }

    func findType(_ request: Request) async throws -> CaseTypeRecord {
        guard let id = request.parameters.get("id").flatMap(Int.init),
              let record = try await CaseTypeRecord.find(id, on: request.database) else { throw Abort(.notFound) }
        return record
    }

    func show(request: Request) async throws -> Response {
        let type = try await findType(request)
        let notice = request.notice([.saved, .added, .deleted, .deactivated], prefix: "settings_notice_")
        return try await renderType(request, type: type, notice: notice)
    }

    /// - Parameters: `typeForm` / `fieldForm`: a form that failed, with what was typed and its problems.
    func renderType(_ request: Request, type: CaseTypeRecord, notice: String? = nil,
                    typeForm: (form: CaseTypeForm, errors: [String: String])? = nil,
                    fieldForm: (id: Int?, form: CaseTypeFieldForm, errors: [String: String])? = nil) async throws -> Response {
        let fields = try await CaseTypeFieldRecord.query(on: request.database).filter(\.$caseTypeId == type.requireID())
            .sort(\.$sortOrder).sort(\.$id).all()
        func kinds(_ selected: String?) -> [KindOption] {
            CaseFieldKind.allCases.map { KindOption(value: $0.rawValue, name: request.t("settings_kind_\($0.rawValue)"), selected: selected == $0.rawValue) }
        }
        let stored = try await CatalogueNames(database: request.database).load()
        func open(_ errors: [String: String]) -> Bool { errors.keys.contains { $0.hasPrefix("name_") } }
        func row(_ field: CaseTypeFieldRecord) -> FieldRow {
            if let fieldForm, fieldForm.id == field.id {
                return FieldRow(id: field.id, values: fieldForm.form, errors: fieldForm.errors, kinds: kinds(fieldForm.form.kind), active: field.isActive,
                                names: TranslatedNameInput.all(fieldForm.form.translated.values, errors: fieldForm.errors),
                                namesOpen: !fieldForm.form.translated.isEmpty || open(fieldForm.errors))
            }
            let names = stored.names(.typeField, field.id ?? 0)
            return FieldRow(id: field.id, values: CaseTypeFieldForm(field), errors: [:], kinds: kinds(field.kind.rawValue), active: field.isActive,
                            names: TranslatedNameInput.all(names), namesOpen: !names.isEmpty)
        }
        var newField = FieldRow(id: nil, values: CaseTypeFieldForm(), errors: [:], kinds: kinds("text"), active: true,
                                names: TranslatedNameInput.all([:]), namesOpen: false)
        if let fieldForm, fieldForm.id == nil {
            newField = FieldRow(id: nil, values: fieldForm.form, errors: fieldForm.errors, kinds: kinds(fieldForm.form.kind), active: true,
                                names: TranslatedNameInput.all([:]), namesOpen: false)
        }
        let errors = typeForm?.errors ?? [:]
        let typeId = try type.requireID()
        let typeNames = typeForm.map { $0.form.translated.values } ?? stored.names(.caseType, typeId)
        let page = TypePage(
            layout: Layout(request, title: "\(request.t("case_type")): \(type.name)", area: "staff"),
            tabs: SettingsTab.all(request), id: try type.requireID(), notice: notice,
            values: typeForm?.form ?? CaseTypeForm(type), errors: errors,
            hasErrors: !errors.isEmpty || !(fieldForm?.errors.isEmpty ?? true),
            fields: fields.map(row), newField: newField,
            typeNames: TranslatedNameInput.all(typeNames, errors: errors), typeNamesOpen: !typeNames.values.allSatisfy(\.isEmpty) || open(errors))
        let response = try await request.view.render("staff/settings-type", page).encodeResponse(for: request).get()
        if page.hasErrors { response.status = .unprocessableEntity }
        return response
    }

    func update(request: Request) async throws -> Response {
        let type = try await findType(request)
        let form = try request.form(CaseTypeForm.self)
        switch try await SaveCaseType.run(form.input(typeId: try type.requireID()), by: try request.staffMember(), in: request.operations) {
        case .done(let saved):
            return request.redirect(to: StaffRoute.caseType, saved.typeId, notice: .saved)
        case .problems(let problems):
            return try await renderType(request, type: type, typeForm: (form, request.texts(problems)))
        }
    }

    func remove(request: Request) async throws -> Response {
        let type = try await findType(request)
        let id = try type.requireID()
        let removed = try await RemoveCaseType.run(.init(typeId: id), by: try request.staffMember(), in: request.operations)
        guard case .done(let removal) = removed else { throw Abort(.unprocessableEntity) }  // a remove has no input, so no problems
        return removal == .deactivated ? request.redirect(to: StaffRoute.caseType, id, notice: .deactivated)
            : request.redirect(to: StaffRoute.caseTypes, notice: .deleted)
    }

    // MARK: Fields

    func addField(request: Request) async throws -> Response {
        let type = try await findType(request)
        return try await saveField(request, type: type, field: nil)
    }

    func findField(_ request: Request, type: CaseTypeRecord) async throws -> CaseTypeFieldRecord {
        guard let id = request.parameters.get("field").flatMap(Int.init),
              let field = try await CaseTypeFieldRecord.find(id, on: request.database),
              field.caseTypeId == type.id else { throw Abort(.notFound) }
        return field
    }

    func updateField(request: Request) async throws -> Response {
        let type = try await findType(request)
        return try await saveField(request, type: type, field: try await findField(request, type: type))
    }

    func saveField(_ request: Request, type: CaseTypeRecord, field: CaseTypeFieldRecord?) async throws -> Response {
        let form = try request.form(CaseTypeFieldForm.self)
        let input = form.input(typeId: try type.requireID(), fieldId: try field?.requireID())
        switch try await SaveCaseTypeField.run(input, by: try request.staffMember(), in: request.operations) {
        case .done(let saved):
            return saved.created ? request.redirect(to: StaffRoute.caseType, saved.typeId, notice: .added, fragment: "fields")
                : request.redirect(to: StaffRoute.caseType, saved.typeId, notice: .saved, fragment: "field-\(saved.fieldId)")
        case .problems(let problems):
            return try await renderType(request, type: type, fieldForm: (field?.id, form, request.texts(problems)))
        }
    }

    func removeField(request: Request) async throws -> Response {
        let type = try await findType(request)
        let field = try await findField(request, type: type)
        let typeId = try type.requireID()
        guard case .done(let removal) = try await RemoveCaseTypeField.run(.init(typeId: typeId, fieldId: try field.requireID()),
                                                                          by: try request.staffMember(), in: request.operations)
        else { throw Abort(.unprocessableEntity) }  // a remove has no input, so no problems
        return request.redirect(to: StaffRoute.caseType, typeId, notice: removal == .deactivated ? .deactivated : .deleted, fragment: "fields")
    }
}

/// A case type's form (D5), as posted and as shown again; the list page's "new type" form too.
struct CaseTypeForm: PostedForm, Encodable {
    static var longestValue: Int { SaveCaseType.descriptionLimit }
    var name = "", description = "", order = "", billable = false, active = true
    /// B6: "approved" or "tested_ok" (`ApprovalLabel`); empty on the list's "new type" form.
    var approval = ""
    /// Issue 12: the name per language (`name_sv` …), sent only where the form has them (`names`).
    var names = false
    var translated = TranslatedNameFields()

    enum CodingKeys: String, CodingKey { case name, description, order, billable, active, approval, names }

    init() {}

    init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        name = try form.decode(String.self, forKey: .name)
        description = try form.decode(String.self, forKey: .description)
        order = try form.decode(String.self, forKey: .order)
        billable = try form.decode(Bool.self, forKey: .billable)
        active = try form.decode(Bool.self, forKey: .active)
        approval = try form.decode(String.self, forKey: .approval)
        names = try form.decode(Bool.self, forKey: .names)
        translated = try TranslatedNameFields(from: decoder)
    }

    init(_ type: CaseTypeRecord) {
        (name, description, order) = (type.name, type.description, String(type.sortOrder))
        (billable, active) = (type.isBillable, type.isActive)
        approval = ApprovalLabel(stored: type.approvalLabel).rawValue
    }

    func input(typeId: Int?) -> SaveCaseType.Input {
        SaveCaseType.Input(typeId: typeId, name: name, description: description, order: order, isBillable: billable, isActive: active,
                           approvalLabel: ApprovalLabel(rawValue: approval), names: names ? translated.values : nil)
    }
}

/// One extra field's form (D5), as posted and as shown again.
struct CaseTypeFieldForm: PostedForm, Encodable {
    static var longestValue: Int { 5_000 }
    var label = "", kind = "", choices = "", order = "", required = false, active = true
    /// Issue 12: the label per language (`name_sv` …), sent only where the form has them (`names`).
    var names = false
    var translated = TranslatedNameFields()

    enum CodingKeys: String, CodingKey { case label, kind, choices, order, required, active, names }

    init() {}

    init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        label = try form.decode(String.self, forKey: .label)
        kind = try form.decode(String.self, forKey: .kind)
        choices = try form.decode(String.self, forKey: .choices)
        order = try form.decode(String.self, forKey: .order)
        required = try form.decode(Bool.self, forKey: .required)
        active = try form.decode(Bool.self, forKey: .active)
        names = try form.decode(Bool.self, forKey: .names)
        translated = try TranslatedNameFields(from: decoder)
    }

    init(_ field: CaseTypeFieldRecord) {
        (label, kind, choices, order) = (field.label, field.kind.rawValue, field.choices, String(field.sortOrder))
        (required, active) = (field.isRequired, field.isActive)
    }

    func input(typeId: Int, fieldId: Int?) -> SaveCaseTypeField.Input {
        SaveCaseTypeField.Input(typeId: typeId, fieldId: fieldId, label: label, kind: kind, isRequired: required, choices: choices,
                                order: order, isActive: active, names: names ? translated.values : nil)
    }
}
