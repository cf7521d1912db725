import CaseportCore
import CaseportStore
import FluentKit

/// Everything the portal's new-case form (B4) is shown and checked with: the chosen case type and its
/// fields, the viewer's creation rule (A7), the customers and objects within reach, the settings (D5)
/// and the active categories. Plain values read as plain SQL (`NewCaseChoices`, issue 17 point 5).
public struct NewCaseSetting: Sendable {
    public var caseType: NewCaseChoices.CaseType?
    public var fields: [NewCaseChoices.Field]
    public var rule: CaseCreationRule
    public var reach: NewCaseChoices.Reach
    public var settings: PortalSettings
    public var categories: [NewCaseChoices.Named]

    /// The customers offered in the form: those the rule lets the viewer choose.
    public var customers: [NewCaseChoices.Named] {
        reach.customers.filter { rule.selectableCustomerIds.contains($0.id) }
    }
    /// The objects offered: linked ones and those of selectable customers, unless staff deactivated them (D6).
    public var objects: [NewCaseChoices.Object] {
        reach.objects.filter { ($0.isActive || $0.id == rule.objectFixed)
            && (rule.selectableObjectIds.contains($0.id) || rule.objectsOfCustomerIds.contains($0.customerId)) }
    }
    public var customerFixed: NewCaseChoices.Named? { rule.customerFixed.flatMap { id in reach.customers.first { $0.id == id } } }
    public var objectFixed: NewCaseChoices.Object? { rule.objectFixed.flatMap { id in reach.objects.first { $0.id == id } } }

    /// `settings`: the deployment's settings when the caller already read them in this request;
    /// `catalogue` and `reach`: the active types, fields and categories, and the actor's customers and
    /// objects, when the caller has them (the web keeps both at the change stamp, which their tables and
    /// the actor's access links raise); each is read here otherwise.
    public static func load(for actor: PortalActor, typeId: Int?, on db: any Database,
                            settings known: PortalSettings? = nil, catalogue knownCatalogue: NewCaseChoices.Catalogue? = nil,
                            reach knownReach: NewCaseChoices.Reach? = nil) async throws -> NewCaseSetting {
        let catalogue: NewCaseChoices.Catalogue
        if let knownCatalogue { catalogue = knownCatalogue } else { catalogue = try await NewCaseChoices.Catalogue.load(on: db) }
        let caseType = catalogue.type(typeId)
        let fields = caseType.map { catalogue.fields[$0.id] ?? [] } ?? []
        let rule = CaseCreationRule(for: actor.viewer)
        let reach: NewCaseChoices.Reach
        if let knownReach { reach = knownReach } else { reach = try await NewCaseChoices.Reach.of(actor.visibility, on: db) }
        let settings: PortalSettings
        if let known { settings = known } else { settings = try await SettingsStore(database: db).load() }
        return NewCaseSetting(caseType: caseType, fields: fields, rule: rule, reach: reach, settings: settings,
                              categories: catalogue.categories)
    }
}
