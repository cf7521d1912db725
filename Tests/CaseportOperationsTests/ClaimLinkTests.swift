import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// Issue 13 (A10, C7, C9), "Done means": a forged, rotated, revoked, expired or other case's token
/// gets nothing; the code locks after the tries; concurrent rounds (two servers) send one link per
/// recipient and trigger. On SQLite and PostgreSQL (DATABASE_URL).
final class ClaimLinkTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!
    /// The clock the operations see; tests move it.
    let now = ClockBox(Date(timeIntervalSince1970: 1_800_000_000))

    final class ClockBox: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Date
        init(_ value: Date) { self.value = value }
        var date: Date {
            get { lock.withLock { value } }
            set { lock.withLock { value = newValue } }
        }
        func advance(days: Double) { date = date.addingTimeInterval(days * 86_400) }
    }

    override func setUp() async throws {
        harness = try await StoreHarness()
        let clock = now
        world = try await OperationWorld.build(on: harness.database, clock: { clock.date })
        var texts = OperationWorld.texts
        texts["claimaccess_mail_subject"] = "Case {number}"
        texts["claimaccess_mail_body"] = "Open {link}"
        texts["claimaccess_sms_link"] = "SMS {link}"
        texts["claimaccess_sms_code"] = "Code {code}"
        world.context.notifications.translations = Translations(tables: Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, texts) }))
    }

    override func tearDown() async throws { await harness.shutdown() }

    var admin: StaffActor { var a = world.handler; a.isAdmin = true; return a }

    /// Makes a case a claim with a policyholder and a contact person (with e-mail and phone).
    @discardableResult
    func makeClaim(_ record: CaseRecord, type: ClaimCustomerType = .privateCustomer,
                   people: [(String, String?, String?, String?)] = [("Pia", "pia@example.com", "+4511111111", "policyholder"),
                                                                    ("Carl", "carl@example.com", "+4522222222", "contact_person")]) async throws -> [Int] {
        let details = ClaimDetailsRecord()
        details.id = try record.requireID()
        details.policyholderType = type.rawValue
        try await details.create(on: world.db)
        var ids: [Int] = []
        for (name, email, phone, role) in people {
            let contact = ContactRecord(firstName: name, lastName: "Kunde", email: email, phone: phone)
            try await contact.create(on: world.db)
            let link = CaseContactLink(caseId: try record.requireID(), contactId: try contact.requireID(), isPrimary: false)
            link.role = role
            try await link.create(on: world.db)
            ids.append(try contact.requireID())
        }
        return ids
    }

    func setSMS(_ on: Bool) async throws {
        var settings = try await SettingsStore(database: world.db).load()
        settings.smsEnabled = on
        try await SettingsStore(database: world.db).save(settings)
    }

    func setDeployment(_ change: (inout ClaimPageSettings) -> Void) async throws {
        var settings = try await ClaimSettingsStore(database: world.db).deployment()
        change(&settings)
        try await ClaimSettingsStore(database: world.db).saveDeployment(settings)
    }

    /// Grants and returns the token, read from the queued e-mail (the only place it exists).
    func grant(_ record: CaseRecord, _ contactId: Int) async throws -> String {
        let outcome = try await GrantClaimAccess.run(caseNumber: record.number, contactId: contactId, by: world.handler, in: world.context)
        XCTAssertNotNil(outcome.value, "granted")
        let mail = try await OutboxRecord.query(on: world.db).filter(\.$kind == OutboxKind.claimLink.rawValue)
            .filter(\.$channel == "email").sort(\.$id, .descending).first()
        return try XCTUnwrap(mail?.body.components(separatedBy: "/c/").last)
    }

    func testGrantingSendsTheLinkByEmailAndSMSAndKeepsOnlyItsHash() async throws {
        try await setSMS(true)
        let ids = try await makeClaim(world.caseA)
        let token = try await grant(world.caseA, ids[0])
        XCTAssertTrue(ClaimLinkRules.isWellFormed(token), "43 base64url characters: 256 random bits")
        let rows = try await world.outbox(of: world.caseA).filter { $0.kind == OutboxKind.claimLink.rawValue }
        XCTAssertEqual(Set(rows.map(\.channel)), ["email", "sms"])
        XCTAssertEqual(Set(rows.map(\.recipient)), ["pia@example.com", "+4511111111"])
        XCTAssertTrue(rows.allSatisfy { $0.body.contains("https://portal.example.com/c/\(token)") })
        let link = try await XCTUnwrapAsync(try await ClaimLinkRecord.query(on: world.db).first())
        XCTAssertNotEqual(link.tokenHash, token)
        XCTAssertEqual(link.tokenHash, ClaimLinks.hash(token))
        XCTAssertEqual(link.tokenHash.count, 64)
        let audit = try await AuditEventRecord.query(on: world.db).filter(\.$action == AuditAction.claimLinkGranted.rawValue).count()
        XCTAssertEqual(audit, 1)
    }

    func testAContactWithoutAddressGetsAClearProblemAndNothingIsWritten() async throws {
        try await setSMS(false)
        let ids = try await makeClaim(world.caseA, people: [("Ida", nil, "+4533333333", "policyholder"), ("Ole", nil, nil, "contact_person")])
        let smsOff = try await GrantClaimAccess.run(caseNumber: world.caseA.number, contactId: ids[0], by: world.handler, in: world.context)
        XCTAssertEqual(smsOff.problems?[.contact], "claimaccess_error_no_email")
        try await setSMS(true)
        let nothing = try await GrantClaimAccess.run(caseNumber: world.caseA.number, contactId: ids[1], by: world.handler, in: world.context)
        XCTAssertEqual(nothing.problems?[.contact], "claimaccess_error_no_address")
        let count = try await ClaimLinkRecord.query(on: world.db).count()
        XCTAssertEqual(count, 0)
        // A case that is no claim has no customer page to give access to.
        do {
            _ = try await GrantClaimAccess.run(caseNumber: world.caseB.number, contactId: ids[0], by: world.handler, in: world.context)
            XCTFail("granted on a case that is no claim")
        } catch OperationError.notAllowedNow {}
    }

    func testForgedRotatedRevokedAndExpiredTokensGetNothingAndALinkOpensOnlyItsOwnCase() async throws {
        let idsA = try await makeClaim(world.caseA)
        let idsB = try await makeClaim(world.caseB, people: [("Bo", "bo@example.com", nil, "contact_person")])
        let context = world.context

        // Forged.
        let forged = try await OpenClaimLink.run(token: ClaimLinkRules.newToken(), in: context)
        XCTAssertEqual(forged, .notWorking)
        try await assertEq(try await OpenClaimLink.run(token: "short", in: context), .notWorking)

        // Rotated: a fresh link stops the old one, and the old one's session.
        let first = try await grant(world.caseA, idsA[1])
        guard case .opened(let firstSession) = try await OpenClaimLink.run(token: first, in: context) else { return XCTFail("opened") }
        let second = try await grant(world.caseA, idsA[1])
        try await assertEq(try await OpenClaimLink.run(token: first, in: context), .notWorking)
        try await assertEq(try await ClaimLinkAccess.viewer(sessionToken: firstSession, in: context), .none)
        guard case .opened(let session) = try await OpenClaimLink.run(token: second, in: context) else { return XCTFail("opened") }
        guard case .viewer(let viewer) = try await ClaimLinkAccess.viewer(sessionToken: session, in: context) else { return XCTFail("viewer") }
        XCTAssertEqual(viewer.caseId, world.caseA.id)
        XCTAssertEqual(viewer.contactId, idsA[1])
        XCTAssertEqual(viewer.email, "carl@example.com")

        // Another case's link opens that case, never this one.
        let tokenB = try await grant(world.caseB, idsB[0])
        guard case .opened(let sessionB) = try await OpenClaimLink.run(token: tokenB, in: context),
              case .viewer(let viewerB) = try await ClaimLinkAccess.viewer(sessionToken: sessionB, in: context) else { return XCTFail("B opened") }
        XCTAssertEqual(viewerB.caseId, world.caseB.id)
        XCTAssertNotEqual(viewerB.caseId, world.caseA.id)

        // Revoked: the link and its open session stop at once.
        try await assertEq(try await RevokeClaimAccess.run(caseNumber: world.caseA.number, contactId: idsA[1], by: world.handler, in: context), 1)
        try await assertEq(try await OpenClaimLink.run(token: second, in: context), .notWorking)
        try await assertEq(try await ClaimLinkAccess.viewer(sessionToken: session, in: context), .none)

        // Expired: case B closes; 30 days later it still opens, after that the link and the session say so.
        let record = try await world.reload(world.caseB)
        record.status = .closed
        record.closedAt = now.date.timeIntervalSince1970
        try await record.update(on: world.db)
        now.advance(days: 29.9)
        // (A session lasts hours; the link itself still opens a new one.)
        try await assertEq(try await ClaimLinkAccess.viewer(sessionToken: sessionB, in: context), .none)
        guard case .opened(let lateSession) = try await OpenClaimLink.run(token: tokenB, in: context),
              case .viewer = try await ClaimLinkAccess.viewer(sessionToken: lateSession, in: context) else { return XCTFail("still open") }
        now.advance(days: 0.2)
        let expired = ClaimLinkAccess.Expired(days: 30, moreInformation: "")
        try await assertEq(try await OpenClaimLink.run(token: tokenB, in: context), .expired(expired))
        try await assertEq(try await ClaimLinkAccess.viewer(sessionToken: lateSession, in: context), .expired(expired))
        // Every opening of a real link is in the audit log (refusals too).
        let openings = try await AuditEventRecord.query(on: world.db).filter(\.$action == AuditAction.claimLinkOpened.rawValue).count()
        XCTAssertEqual(openings, 7)
    }

    func testTheSecurityCodeLocksAfterTheTriesThenPauses() async throws {
        try await setSMS(true)
        try await setDeployment { $0.smsCode = true }
        let ids = try await makeClaim(world.caseA)
        let token = try await grant(world.caseA, ids[0])
        let context = world.context
        guard case .codeSent(let session) = try await OpenClaimLink.run(token: token, in: context) else { return XCTFail("code sent") }
        let codes = try await OutboxRecord.query(on: world.db).filter(\.$kind == OutboxKind.claimLinkCode.rawValue).all()
        XCTAssertEqual(codes.map(\.recipient), ["+4511111111"])
        let code = try XCTUnwrap(codes.first?.body.replacingOccurrences(of: "Code ", with: ""))
        XCTAssertEqual(code.count, 6)
        // The session waits for the code: no viewer yet.
        try await assertEq(try await ClaimLinkAccess.viewer(sessionToken: session, in: context), .none)
        let wrong = code == "000000" ? "111111" : "000000"
        for left in [4, 3, 2, 1] {
            try await assertEq(try await VerifyClaimCode.run(sessionToken: session, code: wrong, in: context), .wrong(triesLeft: left))
        }
        let pausedUntil = now.date.addingTimeInterval(ClaimLinkRules.codePause)
        try await assertEq(try await VerifyClaimCode.run(sessionToken: session, code: wrong, in: context), .paused(until: pausedUntil))
        // Paused: even the right code is refused, and opening again sends no new code.
        try await assertEq(try await VerifyClaimCode.run(sessionToken: session, code: code, in: context), .paused(until: pausedUntil))
        try await assertEq(try await OpenClaimLink.run(token: token, in: context), .paused(until: pausedUntil))
        let codeCount = try await OutboxRecord.query(on: world.db).filter(\.$kind == OutboxKind.claimLinkCode.rawValue).count()
        XCTAssertEqual(codeCount, 1)
        let failures = try await AuditEventRecord.query(on: world.db).filter(\.$action == AuditAction.claimLinkCodeFailed.rawValue).count()
        XCTAssertEqual(failures, 6)
        // After the pause a new code is sent, and the right one opens a new (verified) session.
        now.advance(days: 1.0 / 48)
        guard case .codeSent(let again) = try await OpenClaimLink.run(token: token, in: context) else { return XCTFail("new code") }
        let newCode = try await OutboxRecord.query(on: world.db).filter(\.$kind == OutboxKind.claimLinkCode.rawValue)
            .sort(\.$id, .descending).first()!.body.replacingOccurrences(of: "Code ", with: "")
        guard case .opened(let verified) = try await VerifyClaimCode.run(sessionToken: again, code: newCode, in: context) else {
            return XCTFail("opened with the code")
        }
        XCTAssertNotEqual(verified, again, "the session gets a new id once verified")
        guard case .viewer = try await ClaimLinkAccess.viewer(sessionToken: verified, in: context) else { return XCTFail("viewer") }
        try await assertEq(try await ClaimLinkAccess.viewer(sessionToken: again, in: context), .none)
    }

    func testParallelGuessesGetNoMoreThanTheTries() async throws {
        try await setSMS(true)
        try await setDeployment { $0.smsCode = true }
        let ids = try await makeClaim(world.caseA)
        let token = try await grant(world.caseA, ids[0])
        let context = world.context
        guard case .codeSent(let session) = try await OpenClaimLink.run(token: token, in: context) else { return XCTFail("code sent") }
        let results = try await withThrowingTaskGroup(of: VerifyClaimCode.Result.self) { group in
            for n in 0..<12 {
                group.addTask { try await VerifyClaimCode.run(sessionToken: session, code: String(format: "%06d", 900_000 + n), in: context) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let wrong = results.filter { if case .wrong = $0 { return true }; return false }.count
        XCTAssertLessThanOrEqual(wrong, ClaimLinkRules.codeTries - 1)
        XCTAssertTrue(results.contains { if case .paused = $0 { return true }; return false })
    }

    func testConcurrentRoundsSendOneLinkPerRecipientAndTrigger() async throws {
        try await setDeployment {
            $0.linkSent = .atCreation
            $0.recipients = .both
        }
        try await makeClaim(world.caseA)
        try await makeClaim(world.caseB, people: [("Bo", "bo@example.com", nil, "contact_person"), ("Eva", "eva@example.com", nil, nil)])
        let context = world.context
        // Four rounds at once, as on two servers with retries.
        let sent = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 { group.addTask { try await ClaimLinkRound.run(in: context) } }
            return try await group.reduce(0, +)
        }
        XCTAssertEqual(sent, 3, "Pia and Carl on A, Bo on B (Eva has no role)")
        let links = try await ClaimLinkRecord.query(on: world.db).count()
        XCTAssertEqual(links, 3)
        let mails = try await OutboxRecord.query(on: world.db).filter(\.$kind == OutboxKind.claimLink.rawValue).all()
        XCTAssertEqual(mails.map(\.recipient).sorted(), ["bo@example.com", "carl@example.com", "pia@example.com"])
        // Again later: nothing more.
        try await assertEq(try await ClaimLinkRound.run(in: context), 0)
        try await assertEq(try await ClaimLinkSendRecord.query(on: world.db).count(), 3)
        // The next rounds look only at B: every contact on A has a link; Eva on B has none (no role).
        try await assertEq(try await ClaimLinks(database: world.db).openClaimIds(), [world.caseB.id!])
    }

    func testARoundOverNamedClaimsLooksOnlyAtThem() async throws {
        try await setDeployment {
            $0.linkSent = .atCreation
            $0.recipients = .contactPerson
        }
        try await makeClaim(world.caseA)
        try await makeClaim(world.caseB, people: [("Bo", "bo@example.com", nil, "contact_person")])
        try await assertEq(try await ClaimLinks(database: world.db).openClaimIds(numbers: []), [], "none named, none looked at")
        try await assertEq(try await ClaimLinkRound.run(in: world.context, caseNumbers: [world.caseB.number]), 1, "Bo only")
        let first = try await OutboxRecord.query(on: world.db).filter(\.$kind == OutboxKind.claimLink.rawValue).all().map(\.recipient)
        XCTAssertEqual(first, ["bo@example.com"])
        try await assertEq(try await ClaimLinkRound.run(in: world.context, caseNumbers: [world.caseB.number]), 0, "sent once")
        try await assertEq(try await ClaimLinkRound.run(in: world.context), 1, "the full round finds Carl on A")
    }

    func testTheRoundWaitsForItsMomentAndRespectsManualAndRevocation() async throws {
        try await setDeployment {
            $0.linkSent = .firstInspection
            $0.recipients = .allContacts
        }
        let ids = try await makeClaim(world.caseA)
        try await assertEq(try await ClaimLinkRound.run(in: world.context), 0, "the first inspection is not assigned yet")
        // Staff gave Pia access by hand and then took it away: the round does not override that.
        _ = try await grant(world.caseA, ids[0])
        try await RevokeClaimAccess.run(caseNumber: world.caseA.number, contactId: ids[0], by: world.handler, in: world.context)
        let details = try await ClaimDetailsRecord.find(world.caseA.id, on: world.db)!
        details.firstInspectionAt = now.date
        try await details.update(on: world.db)
        try await assertEq(try await ClaimLinkRound.run(in: world.context), 1, "only Carl")
        // The case's own level says "only manually": nothing for a new contact.
        try await ClaimSettingsStore(database: world.db).saveCaseOverride(world.caseA.id!, { var o = ClaimPageOverrides(); o.linkSent = .manual; return o }())
        let contact = ContactRecord(firstName: "Nye", lastName: "Kontakt", email: "ny@example.com")
        try await contact.create(on: world.db)
        try await CaseContactLink(caseId: world.caseA.id!, contactId: contact.requireID(), isPrimary: false).create(on: world.db)
        try await assertEq(try await ClaimLinkRound.run(in: world.context), 0)
        // Customer type: business only leaves this private claim out.
        try await ClaimSettingsStore(database: world.db).saveCaseOverride(world.caseA.id!, { var o = ClaimPageOverrides(); o.customerTypes = .businessOnly; return o }())
        try await assertEq(try await ClaimLinkRound.run(in: world.context), 0)
    }

    func testSettingsAreSavedAtTheirLevelWithTheirProblems() async throws {
        try await makeClaim(world.caseA)
        var deployment = ClaimPageOverrides(everything: ClaimPageSettings())
        deployment.linkSent = .positiveDecision
        // Handlers may not change the deployment's default.
        do {
            _ = try await SaveClaimPageSettings.run(.init(overrides: deployment, daysText: "30"), at: .deployment, by: world.handler, in: world.context)
            XCTFail("a handler saved the deployment's settings")
        } catch OperationError.forbidden {}
        let bad = try await SaveClaimPageSettings.run(.init(overrides: deployment, daysText: "tio"), at: .deployment, by: admin, in: world.context)
        XCTAssertEqual(bad.problems?[.daysAfterClose], "claimaccess_error_days")
        var mobile = deployment
        mobile.showHandlerName = false
        mobile.showHandlerMobile = true
        let needsName = try await SaveClaimPageSettings.run(.init(overrides: mobile, daysText: "30"), at: .deployment, by: admin, in: world.context)
        XCTAssertEqual(needsName.problems?[.showHandlerMobile], "claimaccess_error_mobile_needs_name")
        try await assertDone(try await SaveClaimPageSettings.run(.init(overrides: deployment, daysText: "45"), at: .deployment, by: admin, in: world.context))

        var customer = ClaimPageOverrides()
        customer.recipients = .both
        let customerId = world.caseA.customerId!
        try await assertDone(try await SaveClaimPageSettings.run(.init(overrides: customer, daysText: ""), at: .customer(id: customerId),
                                                            by: world.handler, in: world.context))
        var own = ClaimPageOverrides()
        own.smsCode = true
        try await assertDone(try await SaveClaimPageSettings.run(.init(overrides: own, daysText: "7"), at: .claim(caseNumber: world.caseA.number),
                                                            by: world.handler, in: world.context))
        let levels = try await ClaimSettingsStore(database: world.db).levels(caseId: world.caseA.id!)
        XCTAssertEqual(levels.effective.linkSent, .positiveDecision)
        XCTAssertEqual(levels.source(\.linkSent), .deployment)
        XCTAssertEqual(levels.effective.recipients, .both)
        XCTAssertEqual(levels.source(\.recipients), .customer)
        XCTAssertEqual(levels.effective.daysAfterClose, 7)
        XCTAssertEqual(levels.source(\.daysAfterClose), .caseOverride)
        XCTAssertEqual(levels.source(\.smsCode), .caseOverride)
        // Case B is no claim: it has no level of its own.
        do {
            _ = try await SaveClaimPageSettings.run(.init(overrides: own, daysText: ""), at: .claim(caseNumber: world.caseB.number),
                                                    by: world.handler, in: world.context)
            XCTFail("saved on a case that is no claim")
        } catch OperationError.notAllowedNow {}
        let audit = try await AuditEventRecord.query(on: world.db).filter(\.$action == AuditAction.settingsChanged.rawValue).sort(\.$id).all()
        XCTAssertEqual(audit.compactMap(\.subject), ["claim_page", "customer:\(customerId) claim_page", "case:\(world.caseA.number) claim_page"])
    }
}

func XCTUnwrapAsync<T>(_ value: T?, file: StaticString = #filePath, line: UInt = #line) throws -> T {
    try XCTUnwrap(value, file: file, line: line)
}

/// `XCTAssertEqual` for a value an async call gives.
func assertEq<T: Equatable>(_ a: @autoclosure () async throws -> T, _ b: T, _ message: String = "",
                            file: StaticString = #filePath, line: UInt = #line) async throws {
    let value = try await a()
    XCTAssertEqual(value, b, message, file: file, line: line)
}

func assertDone<V, F>(_ outcome: @autoclosure () async throws -> Outcome<V, F>, file: StaticString = #filePath, line: UInt = #line) async throws {
    let value = try await outcome()
    XCTAssertNotNil(value.value, "saved", file: file, line: line)
}
