import CaseportCore
import CaseportStore
import Fluent
import Foundation
import Vapor

/// Issue 12: the audit log in the reader's language. The operations write a line's subject and
/// details in a fixed, English-shaped form ("settings", "category 3 name: VVS → Rör"); this reads the
/// known shapes back and says them with the page's words and with names, not ids ("Kategori »Rör«:
/// Namn: VVS → Rör"). A shape it does not know is shown as stored, so every old line stays readable.
struct AuditText {
    let request: Request
    var categories: [Int: String] = [:]
    var priorities: [Int: String] = [:]
    var types: [Int: String] = [:]
    var fields: [Int: String] = [:]
    /// Accounts a subject names by id ("staff user 3", "portal user 12 1001/anna").
    var staff: [Int: String] = [:]
    var portalUsers: [Int: String] = [:]

    /// The settings fields of the general settings page, by the name the audit line uses → its label's key.
    static let settingsLabels: [String: String] = [
        "inquiries_first": "settings_intake", "sms_enabled": "settings_sms_enabled",
        "self_registration_open": "settings_self_registration", "organisation_login_field": "settings_login_field",
        "customer_may_edit_category": "settings_customer_edit_category",
        "customer_may_edit_priority": "settings_customer_edit_priority",
        "password_minimum_length": "settings_password_min_length", "password_requires_digit": "settings_password_digit",
        "password_requires_uppercase": "settings_password_uppercase",
        "password_forbidden_characters": "settings_password_forbid_letters", "extra_list_columns": "settings_columns",
        "customer_required": "settings_customer_required", "object_required": "settings_object_required",
        "category_required": "settings_category_required", "customer_answer_returns_case": "settings_customer_answer_returns",
        "approval_reminder_days": "settings_approval_reminder_days", "contact_phone": "settings_contact_phone",
        "contact_email": "settings_contact_email",
    ]

    static let subjectKeys: [String: String] = [
        "settings": "settings_title", "branding": "branding_title", "categories": "settings_categories",
        "priorities": "settings_priorities", "case_types": "settings_types_title", "webhooks": "webhooks_title",
        "retention": "privacy_title",
    ]

    /// The catalogue items' kinds as the lines name them → the label's key.
    static let itemKinds: [(prefix: String, key: String)] = [
        ("category", "case_category"), ("priority", "case_priority"), ("case type", "case_type"), ("field", "audit_item_field"),
    ]

    /// An item's attribute as the lines name it → the label's key.
    static let attributeKeys: [String: String] = [
        "name": "settings_name", "order": "settings_order", "active": "settings_active", "description": "settings_type_description",
        "billable": "settings_billable_tag", "approval button": "settings_type_approval_label", "label": "settings_field_label",
        "kind": "settings_field_kind", "required": "settings_field_required", "options": "settings_field_choices",
        "deleted": "audit_item_deleted", "deactivated": "audit_item_deactivated", "field added": "audit_item_field_added",
    ]

    /// Reads the names of the items the lines mention by id.
    static func load(for rows: [AuditEventRecord], request: Request) async throws -> AuditText {
        var text = AuditText(request: request)
        var ids: [String: Set<Int>] = [:]
        for row in rows where row.action == AuditAction.settingsChanged.rawValue {
            guard let details = row.details, let parsed = Self.item(in: Self.split(details).field) else { continue }
            ids[parsed.kind, default: []].insert(parsed.id)
        }
        var staffIds: Set<Int> = [], portalIds: Set<Int> = []
        for row in rows {
            guard let subject = row.subject else { continue }
            if let id = Self.account("staff user", in: subject)?.id { staffIds.insert(id) }
            if let id = Self.account("portal user", in: subject)?.id { portalIds.insert(id) }
        }
        let db = request.database
        if !staffIds.isEmpty {
            text.staff = Self.table(try await StaffUserRecord.query(on: db).filter(\.$id ~~ Array(staffIds)).all().map { ($0.id!, $0.name) })
        }
        if !portalIds.isEmpty {
            text.portalUsers = Self.table(try await PortalUserRecord.query(on: db).filter(\.$id ~~ Array(portalIds)).all()
                .map { ($0.id!, $0.username) })
        }
        if let set = ids["category"] {
            text.categories = Self.table(try await CategoryRecord.query(on: db).filter(\.$id ~~ Array(set)).all().map { ($0.id!, $0.name) })
        }
        if let set = ids["priority"] {
            text.priorities = Self.table(try await PriorityRecord.query(on: db).filter(\.$id ~~ Array(set)).all().map { ($0.id!, $0.name) })
        }
        if let set = ids["case type"] {
            text.types = Self.table(try await CaseTypeRecord.query(on: db).filter(\.$id ~~ Array(set)).all().map { ($0.id!, $0.name) })
        }
        if let set = ids["field"] {
            text.fields = Self.table(try await CaseTypeFieldRecord.query(on: db).filter(\.$id ~~ Array(set)).all().map { ($0.id!, $0.label) })
        }
        return text
    }

    static func table(_ pairs: [(Int, String)]) -> [Int: String] { Dictionary(pairs, uniquingKeysWith: { first, _ in first }) }

    /// "field: before → after" → its parts (no arrow: the whole text is the field).
    static func split(_ details: String) -> (field: String, change: String?) {
        guard let colon = details.range(of: ": ") else { return (details, nil) }
        return (String(details[..<colon.lowerBound]), String(details[colon.upperBound...]))
    }

    /// "category 3 name (en)" → (kind "category", id 3, rest "name (en)").
    static func item(in field: String) -> (kind: String, id: Int, rest: String)? {
        for (prefix, _) in itemKinds where field.hasPrefix(prefix + " ") {
            let after = field.dropFirst(prefix.count + 1)
            let digits = after.prefix { $0.isNumber }
            guard let id = Int(digits), !digits.isEmpty else { continue }
            return (prefix, id, after.dropFirst(digits.count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// A locale text, or nil when the key has none.
    func t(_ key: String) -> String? {
        let text = request.t(key)
        return text == key ? nil : text
    }

    /// "staff user 3 anna@example.com" → (3, "anna@example.com").
    static func account(_ prefix: String, in subject: String) -> (id: Int, rest: String)? {
        guard subject.hasPrefix(prefix + " ") else { return nil }
        let after = subject.dropFirst(prefix.count + 1)
        let digits = after.prefix { $0.isNumber }
        guard let id = Int(digits), !digits.isEmpty else { return nil }
        return (id, after.dropFirst(digits.count).trimmingCharacters(in: .whitespaces))
    }

    func subject(_ raw: String?) -> String {
        guard let raw, !raw.isEmpty else { return "" }
        // An account by its name (the rest of the line, e-mail or login, stays as written).
        for (prefix, names) in [("staff user", staff), ("portal user", portalUsers)] {
            if let account = Self.account(prefix, in: raw), let name = names[account.id] {
                return name + (account.rest.isEmpty ? "" : " (\(account.rest))")
            }
        }
        return Self.subjectKeys[raw].flatMap(t) ?? raw
    }

    func details(action: String, _ raw: String?) -> String {
        guard let raw, !raw.isEmpty else { return "" }
        guard action == AuditAction.settingsChanged.rawValue else { return raw }
        let (field, change) = Self.split(raw)
        guard let label = fieldLabel(field) else { return raw }
        guard let change else { return label }
        return "\(label): \(value(change))"
    }

    /// "yes"/"no" in the page's language; "before → after" value by value.
    func value(_ change: String) -> String {
        change.components(separatedBy: " → ").map { part in
            switch part {
            case "yes": return request.t("answer_yes")
            case "no": return request.t("answer_no")
            case "": return "–"
            default: return part
            }
        }.joined(separator: " → ")
    }

    func fieldLabel(_ field: String) -> String? {
        if let key = Self.settingsLabels[field] { return t(key) }
        if field.hasPrefix("branding ") {
            let what = String(field.dropFirst("branding ".count))
            let key = what == "logo" ? "branding_logo" : "branding_colour_" + what.replacingOccurrences(of: "-", with: "_")
            return t(key).map { "\(t("branding_title") ?? "Branding"): \($0)" }
        }
        for (plural, key) in [("categories", "case_category"), ("priorities", "case_priority"), ("case type", "case_type")]
        where field == "\(plural) added" {
            return t(key).flatMap { kind in t("audit_item_added").map { "\(kind): \($0)" } }
        }
        for (prefix, key) in Self.itemKinds {
            for removal in ["deleted", "deactivated"] where field == "\(prefix) \(removal)" {
                return t(key).flatMap { kind in t("audit_item_\(removal)").map { "\(kind): \($0)" } }
            }
        }
        guard let item = Self.item(in: field), let kindKey = Self.itemKinds.first(where: { $0.prefix == item.kind })?.key,
              let kind = t(kindKey) else { return nil }
        let names = ["category": categories, "priority": priorities, "case type": types, "field": fields][item.kind] ?? [:]
        let name = names[item.id].map { "»\($0)«" } ?? "#\(item.id)"
        var rest = item.rest, language: String?
        // "name (en)": a name in one language (issue 12).
        if rest.hasSuffix(")"), let open = rest.range(of: " (", options: .backwards) {
            language = Language(rawValue: String(rest[open.upperBound...].dropLast())).map(\.nativeName)
            rest = String(rest[..<open.lowerBound])
        }
        guard let attributeKey = Self.attributeKeys[rest], let attribute = t(attributeKey) else { return nil }
        return "\(kind) \(name): \(attribute)" + (language.map { " (\($0))" } ?? "")
    }
}
