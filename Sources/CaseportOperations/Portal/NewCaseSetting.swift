import CaseportCore
import CaseportStore
import FluentKit

/// Everything the portal's new-case form (B4) is shown and checked with: the chosen case type and its
/// fields, the viewer's creation rule (A7), the customers and objects within reach, the settings (D5)
/// and the active categories.
public struct NewCaseSetting: Sendable {
    public var caseType: CaseTypeRecord?
    public var fields: [CaseTypeFieldRecord]
    public var rule: CaseCreationRule
    public var reach: Reach
    public var settings: PortalSettings
    public var categories: [CategoryRecord]

    /// The customers offered in the form: those the rule lets the viewer choose.
    public var customers: [CustomerRecord] {
        reach.customers.filter { rule.selectableCustomerIds.contains($0.id!) }
    }
    /// The objects offered: linked ones and those of selectable customers, unless staff deactivated them (D6).
    public var objects: [ObjectRecord] {
        reach.objects.filter { ($0.isActive || $0.id == rule.objectFixed)
            && (rule.selectableObjectIds.contains($0.id!) || rule.objectsOfCustomerIds.contains($0.customerId)) }
    }
    public var customerFixed: CustomerRecord? { rule.customerFixed.flatMap { id in reach.customers.first { $0.id == id } } }
    public var objectFixed: ObjectRecord? { rule.objectFixed.flatMap { id in reach.objects.first { $0.id == id } } }

    /// `settings`: the deployment's settings when the caller already read them in this request.
    public static func load(for actor: PortalActor, typeId: Int?, on db: any Database,
                            settings known: PortalSettings? = nil) async throws -> NewCaseSetting {
        var caseType: CaseTypeRecord?
        if let typeId {
            caseType = try await CaseTypeRecord.query(on: db).filter(\.$id == typeId).filter(\.$isActive == true).first()
        }
        var fields: [CaseTypeFieldRecord] = []
        if let caseType {
            fields = try await CaseTypeFieldRecord.query(on: db).filter(\.$caseTypeId == caseType.requireID())
                .filter(\.$isActive == true).sort(\.$sortOrder).all()
        }
        let rule = CaseCreationRule(for: actor.viewer)
        let reach = try await Reach.of(actor.visibility, on: db)
        let settings: PortalSettings
        if let known { settings = known } else { settings = try await SettingsStore(database: db).load() }
        let categories = try await CategoryRecord.query(on: db).filter(\.$isActive == true).sort(\.$sortOrder).all()
        return NewCaseSetting(caseType: caseType, fields: fields, rule: rule, reach: reach, settings: settings, categories: categories)
    }
}
