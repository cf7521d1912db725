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

    /// A random secret kept in the settings table under `name`, made on first use. Every server
    /// sharing the database reads the same one (used to sign reply addresses when CASEPORT_SECRET is unset).
    public func secret(named name: String) async throws -> String {
        if let row = try await SettingRecord.find(name, on: database) { return row.value }
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        let value = bytes.map { String(format: "%02x", $0) }.joined()
        do {
            try await SettingRecord(key: name, value: value).create(on: database)
            return value
        } catch {
            // Another server made it first: use theirs.
            guard let row = try await SettingRecord.find(name, on: database) else { throw error }
            return row.value
        }
    }
}
