import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// Categories and priorities (D5): add, rename, reorder, deactivate; delete only what no case uses
/// (a used one is deactivated instead). Each change writes an audit line.
struct StaffCatalogueSettingsController: RouteCollection {
    static let nameLimit = 100

    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.catalogue, use: show)
        routes.on(StaffRoute.catalogueAdd, use: add)
        routes.on(StaffRoute.catalogueUpdate, use: update)
        routes.on(StaffRoute.catalogueDelete, use: remove)
    }

    enum Kind: String { case categories, priorities }

    struct Row: Encodable {
        var id: Int
        var name: String
        var order: String
        var active: Bool
        var error: String?
        var orderError: String?
    }

    struct NewRow: Encodable {
        var name: String
        var order: String
        var error: String?
        var orderError: String?
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
        var name: String
        var order: String
        var error: String?
        var orderError: String?
    }

    func show(request: Request) async throws -> Response {
        let notice = request.notice([.saved, .added, .deleted, .deactivated], prefix: "settings_notice_")
        return try await render(request, failed: nil, notice: notice)
    }

    func render(_ request: Request, failed: Failed?, notice: String?) async throws -> Response {
        let categories = try await CategoryRecord.query(on: request.db).sort(\.$sortOrder).sort(\.$id).all()
        let priorities = try await PriorityRecord.query(on: request.db).sort(\.$rank).sort(\.$id).all()
        func row(_ kind: Kind, id: Int, name: String, order: Int, active: Bool) -> Row {
            if let failed, failed.kind == kind, failed.id == id {
                return Row(id: id, name: failed.name, order: failed.order, active: active, error: failed.error, orderError: failed.orderError)
            }
            return Row(id: id, name: name, order: String(order), active: active)
        }
        func newRow(_ kind: Kind) -> NewRow {
            if let failed, failed.kind == kind, failed.id == nil {
                return NewRow(name: failed.name, order: failed.order, error: failed.error, orderError: failed.orderError)
            }
            return NewRow(name: "", order: "")
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

    /// Checks name and order; nil problems means fine.
    func check(_ request: Request, kind: Kind, id: Int?) async throws -> (name: String, order: Int?, failed: Failed?) {
        let values = request.formValues(longest: 200)
        let name = (values["name"] ?? "").trimmed
        let orderText = (values["order"] ?? "").trimmed
        var failed = Failed(kind: kind, id: id, name: values["name"] ?? "", order: values["order"] ?? "")
        if name.isEmpty { failed.error = request.t("form_required") }
        else if name.count > Self.nameLimit { failed.error = request.t("form_too_long") }
        else {
            let clash: Bool
            switch kind {
            case .categories: clash = try await CategoryRecord.query(on: request.db).all().contains { $0.id != id && $0.name.lowercased() == name.lowercased() }
            case .priorities: clash = try await PriorityRecord.query(on: request.db).all().contains { $0.id != id && $0.name.lowercased() == name.lowercased() }
            }
            if clash { failed.error = request.t("settings_error_name_taken") }
        }
        var order: Int?
        if orderText.isEmpty { order = nil }
        else if let number = Int(orderText), (-99_999...99_999).contains(number) { order = number }
        else { failed.orderError = request.t("settings_error_order") }
        return (name, order, failed.error == nil && failed.orderError == nil ? nil : failed)
    }

    func add(request: Request) async throws -> Response {
        let kind = try kind(request)
        let (name, order, failed) = try await check(request, kind: kind, id: nil)
        if let failed { return try await render(request, failed: failed, notice: nil) }
        try await request.db.transaction { tx in
            switch kind {
            case .categories:
                let next = try await CategoryRecord.query(on: tx).max(\.$sortOrder) ?? 0
                try await CategoryRecord(name: name, sortOrder: order ?? next + 1).create(on: tx)
            case .priorities:
                let next = try await PriorityRecord.query(on: tx).max(\.$rank) ?? 0
                try await PriorityRecord(name: name, rank: order ?? next + 1).create(on: tx)
            }
            try await SettingsAudit.record([.init(field: "\(kind.rawValue) added", before: "–", after: name)],
                                           subject: kind.rawValue, request: request, on: tx)
        }
        return request.redirect(to: StaffRoute.catalogue, notice: .added, fragment: kind.rawValue)
    }

    func update(request: Request) async throws -> Response {
        let kind = try kind(request)
        guard let id = request.parameters.get("id").flatMap(Int.init) else { throw Abort(.notFound) }
        let (name, order, failed) = try await check(request, kind: kind, id: id)
        if let failed { return try await render(request, failed: failed, notice: nil) }
        let active = request.formValues(longest: 10)["active"] != nil
        try await request.db.transaction { tx in
            var changes: [SettingsAudit.Change] = []
            switch kind {
            case .categories:
                guard let record = try await CategoryRecord.find(id, on: tx) else { throw Abort(.notFound) }
                changes = [.init(field: "category \(id) name", before: record.name, after: name),
                           .init(field: "category \(id) order", before: String(record.sortOrder), after: String(order ?? record.sortOrder)),
                           .init(field: "category \(id) active", before: .flag(record.isActive), after: .flag(active))]
                record.name = name
                record.sortOrder = order ?? record.sortOrder
                record.isActive = active
                try await record.update(on: tx)
            case .priorities:
                guard let record = try await PriorityRecord.find(id, on: tx) else { throw Abort(.notFound) }
                changes = [.init(field: "priority \(id) name", before: record.name, after: name),
                           .init(field: "priority \(id) order", before: String(record.rank), after: String(order ?? record.rank)),
                           .init(field: "priority \(id) active", before: .flag(record.isActive), after: .flag(active))]
                record.name = name
                record.rank = order ?? record.rank
                record.isActive = active
                try await record.update(on: tx)
            }
            try await SettingsAudit.record(changes, subject: kind.rawValue, request: request, on: tx)
        }
        return request.redirect(to: StaffRoute.catalogue, notice: .saved, fragment: kind.rawValue)
    }

    /// Deletes an unused entry; a used one is deactivated, so the cases that have it keep it.
    func remove(request: Request) async throws -> Response {
        let kind = try kind(request)
        guard let id = request.parameters.get("id").flatMap(Int.init) else { throw Abort(.notFound) }
        let usage = CatalogueUsage(database: request.db)
        let used = kind == .categories ? try await usage.categoryIsUsed(id) : try await usage.priorityIsUsed(id)
        let outcome = used ? "deactivated" : "deleted"
        try await request.db.transaction { tx in
            switch kind {
            case .categories:
                guard let record = try await CategoryRecord.find(id, on: tx) else { throw Abort(.notFound) }
                if used {
                    record.isActive = false
                    try await record.update(on: tx)
                } else {
                    try await record.delete(on: tx)
                }
                try await SettingsAudit.record([.init(field: "category \(outcome)", before: record.name, after: "–")],
                                               subject: kind.rawValue, request: request, on: tx)
            case .priorities:
                guard let record = try await PriorityRecord.find(id, on: tx) else { throw Abort(.notFound) }
                if used {
                    record.isActive = false
                    try await record.update(on: tx)
                } else {
                    try await record.delete(on: tx)
                }
                try await SettingsAudit.record([.init(field: "priority \(outcome)", before: record.name, after: "–")],
                                               subject: kind.rawValue, request: request, on: tx)
            }
        }
        return request.redirect(to: StaffRoute.catalogue, notice: Notice(used ? .deactivated : .deleted), fragment: kind.rawValue)
    }
}
