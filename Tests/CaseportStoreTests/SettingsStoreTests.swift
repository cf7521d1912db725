import CaseportCore
import CaseportStore
import FluentKit
import XCTest

/// The portal settings document: defaults until saved, saved values read back, an unreadable
/// document falls back to the defaults; secrets are made once and shared.
final class SettingsStoreTests: StoreTestCase {
    func testDefaultsUntilSavedThenTheSavedValues() async throws {
        let store = SettingsStore(database: db)
        let initial = try await store.load()
        XCTAssertEqual(initial, PortalSettings())
        var settings = PortalSettings()
        settings.inquiriesFirst = true
        settings.extraListColumns = [.priority, .customer]
        settings.organisationLoginField = .customerNumber
        try await store.save(settings)
        settings.smsEnabled = true
        try await store.save(settings)
        let loaded = try await store.load()
        XCTAssertEqual(loaded, settings)
        let rows = try await SettingRecord.query(on: db).count()
        XCTAssertEqual(rows, 1, "saved again in place")
    }

    func testAnUnreadableDocumentGivesTheDefaults() async throws {
        try await SettingRecord(key: "portal", value: "{not json").create(on: db)
        let loaded = try await SettingsStore(database: db).load()
        XCTAssertEqual(loaded, PortalSettings())
    }

    func testASecretIsMadeOnFirstUseAndThenKept() async throws {
        let store = SettingsStore(database: db)
        let first = try await store.secret(named: "reply_secret")
        XCTAssertEqual(first.count, 64)
        let again = try await store.secret(named: "reply_secret")
        XCTAssertEqual(again, first)
        let other = try await store.secret(named: "other_secret")
        XCTAssertNotEqual(other, first)
    }
}
