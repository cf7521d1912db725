import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import SQLKit
import XCTest

/// E3 (issue 16 point 5) below HTTP, on both databases: the retention run, its dry run, legal holds,
/// the policy form and the export of one person.
final class RetentionOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!
    var storage: MemoryStorage!
    let now = Date(timeIntervalSince1970: 1_780_000_000)
    let day: TimeInterval = 86_400

    override func setUp() async throws {
        harness = try await StoreHarness()
        let now = self.now
        world = try await OperationWorld.build(on: harness.database, clock: { now })
        var texts = OperationWorld.texts
        texts["retention_placeholder"] = "Anonymised"
        world.context.notifications = NotificationContext(
            translations: Translations(tables: Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, texts) })),
            publicBaseURL: "https://portal.example.com", companyName: "Fastighetsservice")
        storage = MemoryStorage()
    }

    override func tearDown() async throws { await harness.shutdown() }

    var db: any Database { world.db }
    var admin: StaffActor { StaffActor(staffId: world.handler.staffId, name: "Ada Admin", isAdmin: true) }

    /// The seeded people of one closed case: who they are and every string that names them.
    struct Seeded {
        var caseRecord: CaseRecord
        var strings: [String]
        var fileKey: String
    }

    /// A case of customer A registered on Anna's account by a saved person (A8) with her own contact in the
    /// register (a private person: no customer, object or login), with messages, an internal note, a
    /// file, an inquiry, outbox rows, events and audit lines naming her; closed `closedDaysAgo` ago.
    func seedClosedCase(first: String, last: String, email: String, phone: String, closedDaysAgo: Double,
                        held: Bool = false) async throws -> Seeded {
        let name = "\(first) \(last)"
        let contact = ContactRecord(firstName: first, lastName: last, email: email, phone: phone)
        try await contact.create(on: db)
        let person = AccountPersonRecord()
        person.userId = world.anna.userId
        person.firstName = first
        person.lastName = last
        person.email = email
        person.phone = phone
        person.createdAt = now.addingTimeInterval(-500 * day)
        try await person.create(on: db)
        var new = NewCase(subject: "Dropp i köket", description: "Ring \(name) på \(phone)", createdByName: name, origin: .portal)
        new.customerId = world.caseA.customerId
        new.objectId = world.caseA.objectId
        new.createdByUserId = world.anna.userId
        new.createdByPersonId = try person.requireID()
        new.primaryContactId = try contact.requireID()
        new.copyEmail = email
        new.smsPhone = phone
        new.referenceName = name
        new.createdAt = now.addingTimeInterval(-(closedDaysAgo + 40) * day)
        let record = try await CaseCreation.create(new, on: db)
        let caseId = try record.requireID()
        let author = CaseConversation.Author(kind: .customer, userId: world.anna.userId, personId: try person.requireID(), name: name)
        let opened = now.addingTimeInterval(-(closedDaysAgo + 30) * day)
        _ = try await CaseConversation.insert(caseId: caseId, author: author, body: "Hej, det är \(name), mejla \(email)",
                                              isInternal: false, at: opened, on: db)
        _ = try await CaseConversation.insert(caseId: caseId, author: .init(kind: .staff, staffId: world.handler.staffId, name: world.handler.name),
                                              body: "Vi kommer i morgon, \(first).", isInternal: false, at: opened, on: db)
        _ = try await CaseConversation.insert(caseId: caseId, author: .init(kind: .staff, staffId: world.handler.staffId, name: world.handler.name),
                                              body: "\(name) ringde från \(phone)", isInternal: true, at: opened, on: db)
        // A chat attached to the case (issue 15), with her name, address and phone.
        let chat = ChatConversationRecord()
        chat.visitorName = name
        chat.visitorEmail = email
        chat.visitorTokenHash = "hash-of-\(last)"
        chat.language = "sv"
        chat.state = .ended
        chat.caseId = caseId
        chat.lastSeq = 2
        chat.createdAt = opened
        chat.lastActivityAt = opened
        try await chat.create(on: db)
        for (seq, kind, author, body) in [(1, ChatAuthorKind.customer, name, "Ring mig på \(phone)"),
                                          (2, .staff, world.handler.name, "Vi ringer dig, \(first).")] {
            let line = ChatMessageRecord()
            line.conversationId = try chat.requireID()
            line.seq = seq
            line.authorKind = kind
            line.authorName = author
            line.staffOnly = false
            line.body = body
            line.createdAt = opened
            try await line.create(on: db)
        }
        let key = storage.newKey()
        try await storage.put(key: key, from: .bytes(Array("bild".utf8)))
        let file = StoredFileRecord()
        file.caseId = caseId
        file.storageKey = key
        file.originalName = "\(last)-kok.jpg"
        file.contentType = "image/jpeg"
        file.byteSize = 4
        file.uploadedByUserId = world.anna.userId
        file.uploaderName = name
        file.createdAt = opened
        try await file.create(on: db)
        let inquiry = InquiryRecord()
        inquiry.status = .processed
        inquiry.createdAt = opened
        inquiry.subject = "Dropp i köket"
        inquiry.description = "Från \(name)"
        inquiry.customerId = world.caseA.customerId
        inquiry.fieldValuesJSON = "[]"
        inquiry.createdByUserId = world.anna.userId
        inquiry.createdByPersonId = try person.requireID()
        inquiry.senderName = name
        inquiry.senderEmail = email
        inquiry.senderPhone = phone
        inquiry.caseId = caseId
        try await inquiry.create(on: db)
        let copy = OutboxRecord(kind: .caseCopy, recipient: email, language: "sv", subject: "Kopia", body: "Hej \(name)", caseId: caseId)
        copy.status = "sent"
        try await copy.create(on: db)
        let sms = OutboxRecord(channel: .sms, kind: .caseCopy, recipient: phone, language: "sv", subject: "", body: "SMS till \(first)")
        sms.status = "sent"
        try await sms.create(on: db)
        let annaActor = EventActor(portalUserId: world.anna.userId, name: name)
        let staffActor = EventActor(staffId: world.handler.staffId, name: world.handler.name)
        try await CaseEvents.append(.customerMessage, caseId: caseId, by: annaActor, at: opened, on: db)
        try await CaseEvents.append(.contactLinked(name: name), caseId: caseId, by: staffActor, at: opened, on: db)
        try await CaseEvents.append(.filesUploaded(names: ["\(last)-kok.jpg"]), caseId: caseId, by: annaActor, at: opened, on: db)
        try await CaseEvents.append(.fieldChanged(.description, before: "Ring \(first)", after: "Ring \(name)"), caseId: caseId,
                                    by: staffActor, at: opened, on: db)
        try await CaseEvents.append(.statusChanged(from: .open, to: .closed), caseId: caseId, by: staffActor,
                                    at: now.addingTimeInterval(-closedDaysAgo * day), on: db)
        try await CaseRecord.query(on: db).filter(\.$id == caseId).set(\.$status, to: .closed).update()
        try await AuditLog(database: db).record(.masterDataChanged, by: .staff(id: world.handler.staffId, name: world.handler.name),
                                                subject: "contact \(try contact.requireID()) \(name)", details: "phone: → \(phone)")
        try await AuditLog(database: db).record(.loginFailed, by: .anonymous(typed: email), subject: "portal login")
        if held {
            _ = try await SetLegalHold.hold(.init(caseNumber: String(record.number), reason: "Tvist"), by: world.handler, in: world.context)
        }
        return Seeded(caseRecord: try await world.reload(record), strings: [first, last, email, phone], fileKey: key)
    }

    func setPolicy(contacts: RetentionPolicy.Action = .anonymise, texts: RetentionPolicy.Action = .delete,
                   files: RetentionPolicy.Action = .anonymise, days: Int = 365) async throws {
        let outcome = try await SaveRetentionPolicy.run(
            .init(actions: [.contactDetails: contacts.rawValue, .messageTexts: texts.rawValue, .files: files.rawValue, .chat: "delete"],
                  days: [.contactDetails: "\(days)", .messageTexts: "\(days)", .files: "\(days)", .chat: "\(days)"],
                  contactEmail: "dataskydd@example.com", nightly: true),
            by: admin, in: world.context)
        XCTAssertNotNil(outcome.value)
    }

    /// Every row of every table whose text (any column, as text) contains `needle`, case-insensitively:
    /// "table.column" per hit. The direct SQL check of "searching finds nothing".
    func textHits(_ needle: String) async throws -> [String] {
        let sql = try XCTUnwrap(db as? any SQLDatabase)
        var hits: [String] = []
        struct Name: Decodable { var name: String }
        if sql.dialect.name == "sqlite" {
            // FTS5's own shadow tables hold the index in binary pages; its searchable text is `case_search.body`.
            let tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'case_search_%'")
                .all(decoding: Name.self).map(\.name)
            for table in tables {
                let columns = try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table))").all(decoding: Name.self).map(\.name)
                for column in columns {
                    struct Count: Decodable { var n: Int }
                    let count = try await sql.raw("""
                        SELECT COUNT(*) AS n FROM "\(unsafeRaw: table)" WHERE lower(CAST("\(unsafeRaw: column)" AS TEXT)) LIKE \(bind: "%\(needle.lowercased())%")
                        """).first(decoding: Count.self)?.n ?? 0
                    if count > 0 { hits.append("\(table).\(column)") }
                }
            }
        } else {
            struct Column: Decodable { var table_name: String; var column_name: String }
            let columns = try await sql.raw("""
                SELECT table_name, column_name FROM information_schema.columns
                WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'tsvector', 'json', 'jsonb')
                """).all(decoding: Column.self)
            for column in columns {
                struct Count: Decodable { var n: Int }
                let count = try await sql.raw("""
                    SELECT COUNT(*) AS n FROM "\(unsafeRaw: column.table_name)" WHERE lower("\(unsafeRaw: column.column_name)"::text) LIKE \(bind: "%\(needle.lowercased())%")
                    """).first(decoding: Count.self)?.n ?? 0
                if count > 0 { hits.append("\(column.table_name).\(column.column_name)") }
            }
        }
        return hits
    }

    /// What dashboards count, computed in SQL: cases per status, type and month, and the lead time
    /// (creation to the last status event) of every case.
    func dashboardFacts() async throws -> [String] {
        let sql = try XCTUnwrap(db as? any SQLDatabase)
        struct Row: Decodable { var status: String; var case_type_id: Int?; var customer_id: Int?; var object_id: Int?; var created_at: Date; var closed: Date? }
        let rows = try await sql.raw("""
            SELECT c.status, c.case_type_id, c.customer_id, c.object_id, c.created_at,
                   (SELECT MAX(e.at) FROM case_events e WHERE e.case_id = c.id AND e.kind = 'status') AS closed
            FROM cases c ORDER BY c.id
            """).all(decoding: Row.self)
        var facts: [String: Int] = [:]
        let calendar = Calendar(identifier: .gregorian)
        for row in rows {
            let month = calendar.dateComponents([.year, .month], from: row.created_at)
            facts["status \(row.status) type \(row.case_type_id ?? 0) month \(month.year!)-\(month.month!)", default: 0] += 1
            facts["customer \(row.customer_id ?? 0) object \(row.object_id ?? 0)", default: 0] += 1
            if let closed = row.closed { facts["lead time \(Int(closed.timeIntervalSince(row.created_at)))", default: 0] += 1 }
        }
        struct Count: Decodable { var n: Int }
        for table in ["case_messages", "files", "case_events", "inquiries"] {
            facts[table] = try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first(decoding: Count.self)?.n
        }
        return facts.map { "\($0.key): \($0.value)" }.sorted()
    }

    // MARK: the run

    func testARunRemovesEveryTraceOfTheAffectedPeopleKeepsTheFactsAndSparesHeldAndRecentCases() async throws {
        let gone = try await seedClosedCase(first: "Petronella", last: "Quist", email: "petronella.quist@example.net",
                                            phone: "070-555 12 34", closedDaysAgo: 400)
        let held = try await seedClosedCase(first: "Holger", last: "Hallqvist", email: "holger@example.net",
                                            phone: "070-666 12 34", closedDaysAgo: 400, held: true)
        let recent = try await seedClosedCase(first: "Vera", last: "Vinter", email: "vera@example.net",
                                              phone: "070-777 12 34", closedDaysAgo: 10)
        try await setPolicy()
        let factsBefore = try await dashboardFacts()
        let heldMessagesBefore = try await CaseMessageRecord.query(on: db).filter(\.$caseId == held.caseRecord.id!).sort(\.$id).all().map(\.body)
        for needle in gone.strings { let awaited1 = try await textHits(needle).isEmpty; XCTAssertFalse(awaited1, "the seed names \(needle)") }

        let awaited2 = try await RunRetention.run(dryRun: true, storage: storage, by: admin, in: world.context); let dry = try XCTUnwrap(awaited2)
        XCTAssertEqual(dry.totalCases, 1)
        XCTAssertEqual(dry.cases, [.contactDetails: 1, .messageTexts: 1, .files: 1, .chat: 1], "the case's chat is due too")
        XCTAssertEqual(dry.sample.map(\.number), [gone.caseRecord.number])
        for needle in gone.strings { let awaited3 = try await textHits(needle).isEmpty; XCTAssertFalse(awaited3, "a dry run changes nothing") }
        XCTAssertNotNil(storage.bytes(gone.fileKey))

        let ran = try await RunRetention.run(dryRun: false, storage: storage, by: SystemActor(name: "Fastighetsservice"), in: world.context)
        let run = try XCTUnwrap(ran)
        XCTAssertEqual(run.cases, dry.cases, "the dry run's count is the real run's")
        XCTAssertEqual(run.totalCases, dry.totalCases)
        XCTAssertEqual(run.people, 2, "her register contact and her person on the shared account")
        XCTAssertEqual(run.files, 1)
        XCTAssertNil(storage.bytes(gone.fileKey), "the stored file is deleted")
        XCTAssertNotNil(storage.bytes(held.fileKey))
        XCTAssertNotNil(storage.bytes(recent.fileKey))

        for needle in gone.strings {
            let awaited4 = try await textHits(needle); XCTAssertEqual(awaited4, [], "SQL finds no trace of \(needle)")
            var filter = CaseFilter()
            filter.text = needle
            let awaited5 = try await VisibleCases(database: db).count(for: world.anna.visibility, filter: filter); XCTAssertEqual(awaited5, 0,
                           "the portal's search finds nothing for \(needle)")
            var staffFilter = StaffCaseFilter()
            staffFilter.base.text = needle
            let awaited6 = try await StaffCases(database: db).count(staffFilter); XCTAssertEqual(awaited6, 0, "the back office's search finds nothing for \(needle)")
        }
        for needle in held.strings + recent.strings {
            let awaited7 = try await textHits(needle).isEmpty; XCTAssertFalse(awaited7, "\(needle): a held or recent case keeps its data")
        }
        var staffFilter = StaffCaseFilter()
        staffFilter.base.text = "Hallqvist"
        let awaited8 = try await StaffCases(database: db).count(staffFilter); XCTAssertEqual(awaited8, 1)
        let awaited9 = try await CaseMessageRecord.query(on: db).filter(\.$caseId == held.caseRecord.id!).sort(\.$id).all().map(\.body); XCTAssertEqual(awaited9,
                       heldMessagesBefore)

        // Dashboards: the facts stay, except the message rows the "delete" rule removed.
        let factsAfter = try await dashboardFacts()
        XCTAssertEqual(factsAfter.filter { !$0.hasPrefix("case_messages") }, factsBefore.filter { !$0.hasPrefix("case_messages") })
        let record = try await world.reload(gone.caseRecord)
        XCTAssertEqual(record.status, .closed)
        XCTAssertEqual(record.number, gone.caseRecord.number)
        XCTAssertEqual(record.createdAt, gone.caseRecord.createdAt)
        XCTAssertEqual(record.customerId, gone.caseRecord.customerId)
        XCTAssertEqual(record.subject, "Dropp i köket", "the subject names the case in lists")
        XCTAssertEqual(record.createdByName, "Anonymised")
        XCTAssertNotNil(record.retentionContactsAt)
        let files = try await StoredFileRecord.query(on: db).filter(\.$caseId == record.id!).all()
        XCTAssertEqual(files.map(\.originalName), ["Anonymised"], "anonymised files keep their row")
        XCTAssertNotNil(files.first?.removedAt)
        let awaited10 = try await CaseMessageRecord.query(on: db).filter(\.$caseId == record.id!).count(); XCTAssertEqual(awaited10, 0, "deleted texts")
        // Every event still reads back typed.
        let awaited11 = try await world.events(of: record).count; XCTAssertEqual(awaited11, 5)

        let lines = try await AuditEventRecord.query(on: db).filter(\.$action == AuditAction.retentionRun.rawValue).sort(\.$id).all()
        XCTAssertEqual(lines.map(\.subject), ["retention dry run", "retention run"])
        XCTAssertEqual(lines.map(\.actorKind), ["staff", "system"])
        XCTAssertTrue(lines[1].details?.contains("contact_details 1") == true)

        let awaited12 = try await RunRetention.run(dryRun: true, storage: storage, by: admin, in: world.context); let again = try XCTUnwrap(awaited12)
        XCTAssertEqual(again.totalCases, 0, "a cleared case is not a candidate again")
    }

    func testAnonymisedTextsKeepTheirMessageRowsAndAReleasedHoldMakesTheCaseDue() async throws {
        let held = try await seedClosedCase(first: "Holger", last: "Hallqvist", email: "holger@example.net",
                                            phone: "070-666 12 34", closedDaysAgo: 400, held: true)
        try await setPolicy(texts: .anonymise, files: .delete)
        let awaited13 = try await RunRetention.run(dryRun: true, storage: storage, by: admin, in: world.context); let before = try XCTUnwrap(awaited13)
        XCTAssertEqual(before.totalCases, 0, "held")
        try await SetLegalHold.release(caseNumber: held.caseRecord.number, by: world.handler, in: world.context)
        let awaited14 = try await RunRetention.run(dryRun: false, storage: storage, by: admin, in: world.context); let run = try XCTUnwrap(awaited14)
        XCTAssertEqual(run.totalCases, 1)
        let messages = try await CaseMessageRecord.query(on: db).filter(\.$caseId == held.caseRecord.id!).all()
        XCTAssertEqual(messages.count, 3, "anonymised messages keep their rows and dates")
        XCTAssertEqual(Set(messages.map(\.body)), ["Anonymised"])
        let awaited15 = try await StoredFileRecord.query(on: db).filter(\.$caseId == held.caseRecord.id!).count(); XCTAssertEqual(awaited15, 0, "deleted files")
        for needle in held.strings { let awaited16 = try await textHits(needle); XCTAssertEqual(awaited16, [], needle) }
    }

    func testKeepEverythingByDefaultAndTheNightlyRunOnlyWhenSwitchedOn() async throws {
        _ = try await seedClosedCase(first: "Petronella", last: "Quist", email: "p@example.net", phone: "070-555 12 34", closedDaysAgo: 4000)
        let awaited17 = try await RunRetention.run(dryRun: false, storage: storage, by: admin, in: world.context); let report = try XCTUnwrap(awaited17)
        XCTAssertEqual(report.totalCases, 0, "no policy: nothing goes")
        let nightly = try await RunRetention.nightly(storage: storage, in: world.context)
        XCTAssertNil(nightly, "the nightly job waits for the switch")
        try await setPolicy(days: 30)
        let switchedOn = try await RunRetention.nightly(storage: storage, in: world.context)
        XCTAssertEqual(switchedOn?.totalCases, 1)
    }

    func testOnlyAdministratorsRunFromTheBackOffice() async throws {
        do {
            _ = try await RunRetention.run(dryRun: true, storage: storage, by: world.handler, in: world.context)
            XCTFail("a handler ran the retention")
        } catch let error as OperationError { XCTAssertEqual(error, .forbidden) }
    }

    // MARK: policy and holds

    func testThePolicyFormChecksEachFieldAndAuditsEachChange() async throws {
        let bad = try await SaveRetentionPolicy.run(
            .init(actions: [.contactDetails: "shred", .messageTexts: "delete", .files: "anonymise"],
                  days: [.messageTexts: "", .files: "99999999"], contactEmail: "nope", nightly: false),
            by: admin, in: world.context)
        let problems = try XCTUnwrap(bad.problems)
        XCTAssertEqual(problems[.action(.contactDetails)], ProblemKey.chooseFromList)
        XCTAssertEqual(problems[.days(.messageTexts)], ProblemKey.required)
        XCTAssertEqual(problems[.days(.files)], "retention_days_invalid")
        XCTAssertEqual(problems[.contactEmail], ProblemKey.invalidEmail)
        let awaited18 = try await RetentionSettingsStore(database: db).load(); XCTAssertEqual(awaited18, .keepEverything, "nothing saved")
        do {
            _ = try await SaveRetentionPolicy.run(.init(actions: [:], days: [:], contactEmail: "", nightly: true), by: world.handler, in: world.context)
            XCTFail("a handler set the policy")
        } catch let error as OperationError { XCTAssertEqual(error, .forbidden) }

        try await setPolicy()
        let policy = try await RetentionSettingsStore(database: db).load()
        XCTAssertEqual(policy.rule(for: .messageTexts), .init(action: .delete, days: 365))
        XCTAssertEqual(policy.contactEmail, "dataskydd@example.com")
        let lines = try await AuditEventRecord.query(on: db).filter(\.$action == AuditAction.settingsChanged.rawValue).all()
        XCTAssertEqual(lines.count, 6, "four kinds, the address, the nightly switch")
        XCTAssertTrue(lines.contains { $0.details == "message_texts: keep → delete after 365 days" })
    }

    func testALegalHoldNeedsAReasonAndAnExistingCaseAndIsAudited() async throws {
        let missing = try await SetLegalHold.hold(.init(caseNumber: "999999", reason: ""), by: world.handler, in: world.context)
        XCTAssertEqual(missing.problems?[.caseNumber], "legal_hold_no_such_case")
        XCTAssertEqual(missing.problems?[.reason], ProblemKey.required)
        let number = world.caseA.number
        let awaited19 = try await SetLegalHold.hold(.init(caseNumber: "#\(number)", reason: " Tvist "), by: world.handler, in: world.context).value; XCTAssertEqual(awaited19,
                       number)
        let record = try await world.reload(world.caseA)
        XCTAssertEqual(record.legalHoldReason, "Tvist")
        XCTAssertEqual(record.legalHoldBy, world.handler.name)
        let awaited20 = try await LegalHolds.list(on: db).map(\.number); XCTAssertEqual(awaited20, [number])
        try await SetLegalHold.release(caseNumber: number, by: world.handler, in: world.context)
        do {
            try await SetLegalHold.release(caseNumber: number, by: world.handler, in: world.context)
            XCTFail("released twice")
        } catch let error as OperationError { XCTAssertEqual(error, .alreadyDone) }
        let lines = try await AuditEventRecord.query(on: db).filter(\.$action == AuditAction.legalHoldChanged.rawValue).sort(\.$id).all()
        XCTAssertEqual(lines.map(\.details), ["hold: Tvist", "released (was: Tvist)"])
    }

    func testTheAuditLogStaysAppendOnlyExceptForRedaction() async throws {
        try await AuditLog(database: db).record(.logout, by: .system, subject: "x", details: "y")
        let sql = try XCTUnwrap(db as? any SQLDatabase)
        do {
            try await sql.raw("UPDATE audit_events SET details = 'changed'").run()
            XCTFail("the audit log took an edit")
        } catch {}
        do {
            try await sql.raw("UPDATE audit_events SET action = 'login_failed', details = '[removed]'").run()
            XCTFail("a redaction changed the action")
        } catch {}
        do {
            try await sql.raw("DELETE FROM audit_events").run()
            XCTFail("the audit log lost a line")
        } catch {}
        try await AuditLog(database: db).redact(containing: "y")
        let line = try await AuditEventRecord.query(on: db).filter(\.$action == AuditAction.logout.rawValue).first()
        XCTAssertEqual(line?.details, "[removed]")
        XCTAssertEqual(line?.subject, "x")
    }

    // MARK: export

    func testTheExportHoldsEveryRowOfThePersonAndNoOneElses() async throws {
        // Two similar people: the same name, addresses that differ by one letter.
        let first = try await seedClosedCase(first: "Petra", last: "Lund", email: "petra.lund@example.net", phone: "070-111 11 11",
                                             closedDaysAgo: 5)
        let second = try await seedClosedCase(first: "Petra", last: "Lund", email: "petra.lunde@example.net", phone: "070-111 11 12",
                                              closedDaysAgo: 5)
        let wrong = try await ExportPersonalData.run(email: "nobody@example.net", by: admin, in: world.context)
        XCTAssertEqual(wrong.problems?[.email], "privacy_export_nobody")
        do {
            _ = try await ExportPersonalData.run(email: "petra.lund@example.net", by: world.handler, in: world.context)
            XCTFail("a handler exported")
        } catch let error as OperationError { XCTAssertEqual(error, .forbidden) }

        let awaited21 = try await ExportPersonalData.run(email: "Petra.Lund@example.net", by: admin, in: world.context).value; let person = try XCTUnwrap(awaited21)
        XCTAssertEqual(person.contactIds.count, 1)
        XCTAssertEqual(person.personIds.count, 1)
        XCTAssertEqual(person.portalUserIds, [])
        let sections = try await PersonalDataExport(database: db).sections(for: person)
        func rows(_ name: String) throws -> [[String: Any]] {
            let section = try XCTUnwrap(sections.first { $0.name == name }, name)
            return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(section.json)) as? [[String: Any]])
        }
        XCTAssertEqual(try rows("cases.json").compactMap { $0["number"] as? Int }, [first.caseRecord.number])
        XCTAssertEqual(try rows("contacts.json").compactMap { $0["email"] as? String }, ["petra.lund@example.net"])
        XCTAssertEqual(try rows("shared_account_persons.json").compactMap { $0["email"] as? String }, ["petra.lund@example.net"])
        XCTAssertEqual(try rows("messages.json").count, 1, "her own message, not staff's answer")
        XCTAssertEqual(try rows("inquiries.json").compactMap { $0["senderEmail"] as? String }, ["petra.lund@example.net"])
        XCTAssertEqual(try rows("outbox.json").compactMap { $0["recipient"] as? String }, ["petra.lund@example.net"])
        XCTAssertEqual(try rows("audit_log.json").count, 1, "the line about her contact")
        let everything = sections.map { String(decoding: $0.json, as: UTF8.self) }.joined()
        XCTAssertFalse(everything.contains("petra.lunde@"), "nothing of the other Petra")
        XCTAssertFalse(everything.contains("070-111 11 12"))
        XCTAssertFalse(everything.contains("passwordHash"))
        XCTAssertNotEqual(first.caseRecord.id, second.caseRecord.id)

        // A portal user's export: Anna's own case (not the cases her saved persons registered).
        let awaited22 = try await ExportPersonalData.run(email: "anna@example.com", by: admin, in: world.context).value; let anna = try XCTUnwrap(awaited22)
        let annaSections = try await PersonalDataExport(database: db).sections(for: anna)
        let cases = try XCTUnwrap(annaSections.first { $0.name == "cases.json" })
        let numbers = (try JSONSerialization.jsonObject(with: Data(cases.json)) as? [[String: Any]])?.compactMap { $0["number"] as? Int }
        XCTAssertEqual(numbers, [world.caseA.number])
        let awaited23 = try await PersonalDataExport(database: db).files(for: anna).count; XCTAssertEqual(awaited23, 2, "the files she uploaded")
        let exported = try await AuditEventRecord.query(on: db).filter(\.$action == AuditAction.dataExported.rawValue).all()
        XCTAssertEqual(exported.compactMap(\.subject).sorted(), ["personal data anna@example.com", "personal data petra.lund@example.net"])
    }
}
