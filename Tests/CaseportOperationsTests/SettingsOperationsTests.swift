import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// The general settings and the branding (D5, C8) below HTTP, on both databases.
final class SettingsOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: SettingsWorld!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await SettingsWorld.build(on: harness.database)
    }

    override func tearDown() async throws { await harness.shutdown() }

    /// The form as the default settings show it.
    func unchanged() -> SaveSettings.Input {
        let defaults = PortalSettings()
        return SaveSettings.Input(
            intake: defaults.inquiriesFirst ? "inquiries" : "cases", loginField: defaults.organisationLoginField.rawValue,
            passwordMinimumLength: String(defaults.passwordPolicy.minimumLength), smsEnabled: defaults.smsEnabled,
            selfRegistrationOpen: defaults.selfRegistrationOpen, customerMayEditCategory: defaults.customerMayEditCategory,
            customerMayEditPriority: defaults.customerMayEditPriority, passwordRequiresDigit: defaults.passwordPolicy.requiresDigit,
            passwordRequiresUppercase: defaults.passwordPolicy.requiresUppercase,
            passwordForbidsLetters: !defaults.passwordPolicy.forbiddenCharacters.isEmpty, extraListColumns: Set(defaults.extraListColumns))
    }

    // MARK: General settings

    func testSavedSettingsAreWrittenWithOneAuditLinePerChangedSetting() async throws {
        let before = try await world.settings()
        var input = unchanged()
        input.intake = before.inquiriesFirst ? "cases" : "inquiries"
        input.smsEnabled = !before.smsEnabled
        input.passwordMinimumLength = " 12 "
        input.passwordForbidsLetters = true
        input.extraListColumns = [.priority, .category]
        let outcome = try await SaveSettings.run(input, by: world.admin, in: world.context)
        XCTAssertEqual(outcome.value, 5)

        let after = try await world.settings()
        XCTAssertEqual(after.inquiriesFirst, !before.inquiriesFirst)
        XCTAssertEqual(after.smsEnabled, !before.smsEnabled)
        XCTAssertEqual(after.passwordPolicy.minimumLength, 12)
        XCTAssertEqual(after.passwordPolicy.forbiddenCharacters, "åäö")
        XCTAssertEqual(after.extraListColumns, [.category, .priority], "columns keep the page's order, not the form's")
        let flag = { (value: Bool) in value ? "yes" : "no" }
        let lines = try await world.audit(.settingsChanged)
        XCTAssertEqual(lines, [
            "settings | inquiries_first: \(flag(before.inquiriesFirst)) → \(flag(!before.inquiriesFirst))",
            "settings | sms_enabled: \(flag(before.smsEnabled)) → \(flag(!before.smsEnabled))",
            "settings | password_minimum_length: \(before.passwordPolicy.minimumLength) → 12",
            "settings | password_forbidden_characters:  → åäö",
            "settings | extra_list_columns:  → category, priority",
        ])
        let byAdmin = try await world.auditIsByAdmin(.settingsChanged)
        XCTAssertTrue(byAdmin, "the lines name the administrator and the request's address")
    }

    func testSavingWithoutAChangeWritesNothing() async throws {
        let stampBefore = try await ChangeStamp.current(on: world.db)
        let outcome = try await SaveSettings.run(unchanged(), by: world.admin, in: world.context)
        XCTAssertEqual(outcome.value, 0)
        let lines = try await world.audit(.settingsChanged)
        XCTAssertEqual(lines, [])
        let stampAfter = try await ChangeStamp.current(on: world.db)
        XCTAssertEqual(stampAfter, stampBefore, "nothing written, so cached portal pages stay valid")
    }

    func testASavedSettingRaisesTheChangeStampThatPortalCachesWatch() async throws {
        let stampBefore = try await ChangeStamp.current(on: world.db)
        var input = unchanged()
        input.selfRegistrationOpen.toggle()
        _ = try await SaveSettings.run(input, by: world.admin, in: world.context)
        let stampAfter = try await ChangeStamp.current(on: world.db)
        XCTAssertGreaterThan(stampAfter, stampBefore)
    }

    func testEachBadFieldHasItsProblemAndNothingIsWritten() async throws {
        var input = unchanged()
        input.intake = "both"
        input.loginField = "telepathy"
        input.passwordMinimumLength = "abc"
        input.smsEnabled.toggle()
        let problems = try await SaveSettings.run(input, by: world.admin, in: world.context).problems
        XCTAssertEqual(problems?[.intake], ProblemKey.chooseFromList)
        XCTAssertEqual(problems?[.loginField], ProblemKey.chooseFromList)
        XCTAssertEqual(problems?[.passwordMinimumLength], "settings_error_password_length")
        input = unchanged()
        input.passwordMinimumLength = "  "
        let empty = try await SaveSettings.run(input, by: world.admin, in: world.context).problems
        XCTAssertEqual(empty?[.passwordMinimumLength], ProblemKey.required)
        input.passwordMinimumLength = "73"
        let tooLong = try await SaveSettings.run(input, by: world.admin, in: world.context).problems
        XCTAssertEqual(tooLong?[.passwordMinimumLength], "settings_error_password_length")
        let settings = try await world.settings()
        XCTAssertEqual(settings.smsEnabled, PortalSettings().smsEnabled)
        let lines = try await world.audit(.settingsChanged)
        XCTAssertEqual(lines, [])
    }

    // MARK: Branding

    func testColoursAreSavedWithoutDefaultsAndTheRevisionGoesUp() async throws {
        let page = Branding.Colour.pageBackground, menu = Branding.Colour.menuBackground
        let outcome = try await SaveBrandingColours.run(.init(typed: [page: " #AA0000 ", menu: menu.standard, .text: ""]),
                                                        by: world.admin, in: world.context)
        XCTAssertEqual(outcome.value, true)
        let branding = try await world.settings().branding
        XCTAssertEqual(branding.colours, [page.rawValue: "#aa0000"], "a default colour is not stored")
        XCTAssertEqual(branding.revision, 1)
        let lines = try await world.audit(.settingsChanged)
        XCTAssertEqual(lines, ["branding | branding page-bg: \(page.standard) → #aa0000"])

        let again = try await SaveBrandingColours.run(.init(typed: [page: "#aa0000"]), by: world.admin, in: world.context)
        XCTAssertEqual(again.value, false, "the same colours again change nothing")
        let revision = try await world.settings().branding.revision
        XCTAssertEqual(revision, 1)
    }

    func testAColourThatIsNotHexIsAProblemAndNothingIsSaved() async throws {
        let evil = "red;}body{display:none"
        let problems = try await SaveBrandingColours.run(.init(typed: [.heading: evil, .pageBackground: "#000000"]),
                                                         by: world.admin, in: world.context).problems
        XCTAssertEqual(problems?[.colour(.heading)], "branding_error_colour")
        XCTAssertNil(problems?[.colour(.pageBackground)])
        XCTAssertEqual(SaveBrandingColours.Field.colour(.heading).name, "colour_heading")
        let branding = try await world.settings().branding
        XCTAssertEqual(branding.colours, [:])
    }

    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 24)

    func testALogoIsStoredByKeyAndReplacingItRemovesTheOldBytes() async throws {
        let first = try await UploadLogo.run(.init(bytes: Self.png), by: world.admin, in: world.context, storage: world.storage)
        XCTAssertNotNil(first.value)
        let firstLogo = try await world.settings().branding.logoKey
        let firstKey = try XCTUnwrap(firstLogo)
        XCTAssertEqual(world.storage.bytes(firstKey), Self.png)
        _ = try await UploadLogo.run(.init(bytes: Self.png + [1]), by: world.admin, in: world.context, storage: world.storage)
        let branding = try await world.settings().branding
        XCTAssertEqual(branding.logoType, "image/png")
        XCTAssertEqual(branding.revision, 2)
        XCTAssertEqual(world.storage.keys, [try XCTUnwrap(branding.logoKey)], "the old logo's bytes are gone")
        let lines = try await world.audit(.settingsChanged)
        XCTAssertEqual(lines, ["branding | branding logo: none → image/png, 32 bytes",
                               "branding | branding logo: uploaded → image/png, 33 bytes"])

        let removed = try await RemoveLogo.run(by: world.admin, in: world.context, storage: world.storage)
        XCTAssertEqual(removed.value, true)
        let after = try await world.settings().branding
        XCTAssertNil(after.logoKey)
        XCTAssertNil(after.logoType)
        XCTAssertEqual(world.storage.keys, [])
        let last = try await world.audit(.settingsChanged).last
        XCTAssertEqual(last, "branding | branding logo: uploaded → none")
        let nothing = try await RemoveLogo.run(by: world.admin, in: world.context, storage: world.storage)
        XCTAssertEqual(nothing.value, false, "no logo, nothing to remove")
        let count = try await world.audit(.settingsChanged).count
        XCTAssertEqual(count, 3)
    }

    func testALogoMustBeAnImageByItsBytesAndNotTooLarge() async throws {
        func problem(_ bytes: [UInt8]?) async throws -> String? {
            try await UploadLogo.run(.init(bytes: bytes), by: world.admin, in: world.context, storage: world.storage).problems?[.logo]
        }
        let missing = try await problem(nil), empty = try await problem([])
        XCTAssertEqual(missing, "branding_error_logo_missing")
        XCTAssertEqual(empty, "branding_error_logo_missing")
        let text = try await problem(Array("<svg onload=alert(1)>".utf8))
        XCTAssertEqual(text, "branding_error_logo_type")
        let large = try await problem(Self.png + Array(repeating: 0, count: Branding.logoMaximumBytes))
        XCTAssertEqual(large, "branding_error_logo_size")
        XCTAssertEqual(world.storage.keys, [], "nothing refused is stored")
        let logo = try await world.settings().branding.logoKey
        XCTAssertNil(logo)
    }

    // MARK: Administrators only

    func testAHandlerIsRefusedEverySettingsChange() async throws {
        let handler = world.handler, context = world.context, storage = world.storage
        var refusals: [OperationError?] = []
        refusals.append(await operationError { _ = try await SaveSettings.run(self.unchanged(), by: handler, in: context) })
        refusals.append(await operationError {
            _ = try await SaveBrandingColours.run(.init(typed: [.text: "#000000"]), by: handler, in: context)
        })
        refusals.append(await operationError {
            _ = try await UploadLogo.run(.init(bytes: Self.png), by: handler, in: context, storage: storage)
        })
        refusals.append(await operationError { _ = try await RemoveLogo.run(by: handler, in: context, storage: storage) })
        XCTAssertEqual(refusals, Array(repeating: .forbidden, count: 4))
        let lines = try await AuditEventRecord.query(on: world.db).count()
        XCTAssertEqual(lines, 0)
        XCTAssertEqual(world.storage.keys, [])
    }
}
