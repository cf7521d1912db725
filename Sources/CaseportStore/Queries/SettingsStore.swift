import CaseportCore
import FluentKit
import Foundation

/// Reads and writes `PortalSettings`, kept as one JSON document in the `settings` table.
public struct SettingsStore: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    static let portalKey = "portal"

    public func load() async throws -> PortalSettings {
        guard let row = try await SettingRecord.find(Self.portalKey, on: database) else { return PortalSettings() }
        return (try? JSONDecoder().decode(PortalSettings.self, from: Data(row.value.utf8))) ?? PortalSettings()
    }

    public func save(_ settings: PortalSettings) async throws {
        let value = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        if let row = try await SettingRecord.find(Self.portalKey, on: database) {
            row.value = value
            try await row.update(on: database)
        } else {
            try await SettingRecord(key: Self.portalKey, value: value).create(on: database)
        }
    }
}
