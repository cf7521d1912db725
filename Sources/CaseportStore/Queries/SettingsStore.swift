import CaseportCore
import FluentKit

/// The deployment's settings that exist so far. The back office will edit them (D5).
public struct PortalSettings: Sendable, Equatable {
    public var organisationLoginField: OrganisationLoginField = .any
    public init() {}
}

public struct SettingsStore: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    static let organisationLoginFieldKey = "organisation_login_field"

    public func load() async throws -> PortalSettings {
        var settings = PortalSettings()
        let rows = try await SettingRecord.query(on: database).all()
        for row in rows {
            switch row.id {
            case Self.organisationLoginFieldKey:
                settings.organisationLoginField = OrganisationLoginField(rawValue: row.value) ?? .any
            default:
                break
            }
        }
        return settings
    }

    public func save(_ settings: PortalSettings) async throws {
        try await upsert(Self.organisationLoginFieldKey, settings.organisationLoginField.rawValue)
    }

    private func upsert(_ key: String, _ value: String) async throws {
        if let row = try await SettingRecord.find(key, on: database) {
            row.value = value
            try await row.update(on: database)
        } else {
            try await SettingRecord(key: key, value: value).create(on: database)
        }
    }
}
