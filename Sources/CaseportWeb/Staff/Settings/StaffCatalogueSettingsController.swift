import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Categories and priorities (D5): add, rename, reorder, deactivate; delete only what no case uses
/// (a used one is deactivated instead). The changes are the `SaveCatalogueEntry` and
/// `RemoveCatalogueEntry` operations, which write the audit lines.
struct StaffCatalogueSettingsController: RouteCollection {

    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.catalogue, use: show)
        routes.on(StaffRoute.catalogueAdd, use: add)
        routes.on(StaffRoute.catalogueUpdate, use: update)
        routes.on(StaffRoute.catalogueDelete, use: remove)
    }

    typealias Kind = CatalogueKind

    struct Row: Encodable {
        var id: Int
        var name: String
        var order: String
        var active: Bool
        var error: String?
        var orderError: String?
        /// Issue 12: the name per language; open when one is set or wrong.
        var names: [TranslatedNameInput]
        var namesOpen: Bool
    }

    struct NewRow: Encodable {
        var name: String
        var order: String
        var error: String?
        var orderError: String?
        var names: [TranslatedNameInput]
        var namesOpen: Bool
    }

    struct Page: Encodable {
        var layout: Layout
        var tabs: [SettingsTab]
        var notice: String?
        var hasErrors: Bool
        var categories: [Row]
        var priorities: [Row]
        var newCategory: NewRow
        var newPriority: NewRow
    }

    /// A form that failed, shown again with what was typed.
    struct Failed {
        var kind: Kind
        var id: Int?
        var form: CatalogueEntryForm
        var errors: [String: String]
        var error: String? { errors[SaveCatalogueEntry.Field.name.rawValue] }
        var namesOpen: Bool { form.translated.values.values.contains { !$0.isEmpty } || errors.keys.contains { $0.hasPrefix("name_") } }
        var orderError: String? { errors[SaveCatalogueEntry.Field.order.rawValue] }
    }

    func show(request: Request) async throws -> Response {
        let notice = request.notice([.saved, .added, .deleted, .deactivated], prefix: "settings_notice_")
        return try await render(request, failed: nil, notice: notice)
    }

    func render(_ request: Request, failed: Failed?, notice: String?) async throws -> Response {
        let categories = try await CategoryRecord.query(on: request.database).sort(\.$sortOrder).sort(\.$id).all()
        let priorities = try await PriorityRecord.query(on: request.database).sort(\.$rank).sort(\.$id).all()
        let stored = try await CatalogueNames(database: request.database).load()
        func row(_ kind: Kind, id: Int, name: String, order: Int, active: Bool) -> Row {
            if let failed, failed.kind == kind, failed.id == id {
                return Row(id: id, name: failed.form.name, order: failed.form.order, active: active, error: failed.error,
                           orderError: failed.orderError, names: TranslatedNameInput.all(failed.form.translated.values, errors: failed.errors),
                           namesOpen: failed.namesOpen)
            }
            let names = stored.names(kind.nameKind, id)
            return Row(id: id, name: name, order: String(order), active: active, names: TranslatedNameInput.all(names),
                       namesOpen: !names.isEmpty)
        }
        func newRow(_ kind: Kind) -> NewRow {
            if let failed, failed.kind == kind, failed.id == nil {
                return NewRow(name: failed.form.name, order: failed.form.order, error: failed.error, orderError: failed.orderError,
                              names: TranslatedNameInput.all(failed.form.translated.values, errors: failed.errors), namesOpen: failed.namesOpen)
            }
            return NewRow(name: "", order: "", names: TranslatedNameInput.all([:]), namesOpen: false)
        }
        let page = Page(
            layout: Layout(request, title: request.t("settings_catalogue_title"), area: "staff"),
            tabs: SettingsTab.all(request), notice: notice, hasErrors: failed != nil,
            categories: categories.map { row(.categories, id: $0.id!, name: $0.name, order: $0.sortOrder, active: $0.isActive) },
            priorities: priorities.map { row(.priorities, id: $0.id!, name: $0.name, order: $0.rank, active: $0.isActive) },
            newCategory: newRow(.categories), newPriority: newRow(.priorities))
        let response = try await request.view.render("staff/settings-catalogue", page).encodeResponse(for: request).get()
        if failed != nil { response.status = .unprocessableEntity }
        return response
    }

    func kind(_ request: Request) throws -> Kind {
        guard let kind = request.parameters.get("kind").flatMap(Kind.init(rawValue:)) else { throw Abort(.notFound) }
        return kind
    }

    func id(_ request: Request) throws -> Int {
        guard let id = request.parameters.get("id").flatMap(Int.init) else { throw Abort(.notFound) }
        return id
    }

    func add(request: Request) async throws -> Response {
        try await save(request, kind: try kind(request), id: nil)
    }

    func update(request: Request) async throws -> Response {
        let kind = try kind(request)
        return try await save(request, kind: kind, id: try id(request))
    }

    func save(_ request: Request, kind: Kind, id: Int?) async throws -> Response {
        let form = try request.form(CatalogueEntryForm.self)
        switch try await SaveCatalogueEntry.run(form.input(kind: kind, entryId: id), by: try request.staffMember(), in: request.operations) {
        case .done(let saved):
            return request.redirect(to: StaffRoute.catalogue, notice: saved.created ? .added : .saved, fragment: kind.rawValue)
        case .problems(let problems):
            return try await render(request, failed: Failed(kind: kind, id: id, form: form, errors: request.texts(problems)), notice: nil)
        }
    }

    /// Deletes an unused entry; a used one is deactivated, so the cases that have it keep it.
    func remove(request: Request) async throws -> Response {
        let kind = try kind(request)
        let removed = try await RemoveCatalogueEntry.run(.init(kind: kind, entryId: try id(request)), by: try request.staffMember(),
                                                         in: request.operations)
        guard case .done(let removal) = removed else { throw Abort(.unprocessableEntity) }  // a remove has no input, so no problems
        return request.redirect(to: StaffRoute.catalogue, notice: Notice(removal == .deactivated ? .deactivated : .deleted),
                                fragment: kind.rawValue)
    }
}

/// A category's or priority's form (D5), as posted and as shown again. Issue 12: the name per language
/// (`name_sv` … `name_en`); `names` marks a form that has those fields, so a post without them leaves
/// the names as they are.
struct CatalogueEntryForm: PostedForm {
    static var longestValue: Int { 200 }
    var name = "", order = "", active = false
    var names = false
    var translated = TranslatedNameFields()

    enum CodingKeys: String, CodingKey { case name, order, active, names }

    init() {}

    init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        name = try form.decode(String.self, forKey: .name)
        order = try form.decode(String.self, forKey: .order)
        active = try form.decode(Bool.self, forKey: .active)
        names = try form.decode(Bool.self, forKey: .names)
        translated = try TranslatedNameFields(from: decoder)
    }

    func input(kind: CatalogueKind, entryId: Int?) -> SaveCatalogueEntry.Input {
        SaveCatalogueEntry.Input(kind: kind, entryId: entryId, name: name, order: order, isActive: active,
                                 names: names ? translated.values : nil)
    }
}

/// Issue 12: the `name_<language>` fields of a catalogue form, as posted.
struct TranslatedNameFields: Codable {
    var values: [Language: String] = [:]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init() {}

    init(_ values: [Language: String]) { self.values = values }

    init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: Key.self)
        for language in Language.allCases {
            values[language] = try form.decode(String.self, forKey: Key(stringValue: "name_\(language.rawValue)"))
        }
    }

    /// As the form posts them (pages read `TranslatedNameInput`, not this).
    func encode(to encoder: any Encoder) throws {
        var form = encoder.container(keyedBy: Key.self)
        for (language, value) in values { try form.encode(value, forKey: Key(stringValue: "name_\(language.rawValue)")) }
    }

    /// Whether anything was typed.
    var isEmpty: Bool { !values.values.contains { !$0.isEmpty } }
}

/// Issue 12: one language's name input on a catalogue form.
struct TranslatedNameInput: Encodable {
    var language: String
    /// The language's own name ("Dansk"), the input's label.
    var label: String
    var value: String
    var error: String?

    /// The four inputs of an item, with what was typed (or is stored) and the errors by field name.
    static func all(_ values: [Language: String], errors: [String: String] = [:]) -> [TranslatedNameInput] {
        Language.allCases.map { language in
            TranslatedNameInput(language: language.rawValue, label: language.nativeName, value: values[language] ?? "",
                                error: errors["name_\(language.rawValue)"])
        }
    }
}
