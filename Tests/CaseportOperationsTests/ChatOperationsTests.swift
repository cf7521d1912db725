import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// Live chat (B13/D7) below HTTP, on SQLite and (with DATABASE_URL) PostgreSQL: numbering under
/// concurrent writers, who reaches which conversation, taking and handing over, and the ways an
/// unanswered chat becomes an inquiry (D2).
final class ChatOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!
    var colleague: StaffActor!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
        var texts = OperationWorld.texts
        for key in ["chat_system_joined", "chat_system_handed_over", "chat_system_ended_by", "chat_system_to_inquiry",
                    "chat_inquiry_subject", "mail_chat_transcript_subject", "mail_chat_transcript_body",
                    "mail_inquiry_copy_subject", "mail_inquiry_copy_body"] {
            texts[key] = "\(key) {name} {from} {to} {transcript} {body}"
        }
        world.context.notifications.translations = Translations(tables: [.sv: texts, .en: texts])
        let other = StaffUserRecord(email: "kollega@example.com", name: "Karin Kollega", role: .handler, passwordHash: "x")
        try await other.create(on: world.db)
        colleague = StaffActor(staffId: try other.requireID(), name: other.name, isAdmin: false)
    }

    override func tearDown() async throws { await harness.shutdown() }

    var anna: ChatCustomer { ChatCustomer(portal: world.anna, visitorToken: nil) }
    var chats: Chats { Chats(database: world.db) }

    func start(_ customer: ChatCustomer, name: String = "Anna Test", email: String = "anna@example.com") async throws
        -> StartChat.Started {
        let outcome = try await StartChat.run(.init(name: name, email: email, language: .en), by: customer, in: world.context)
        return try XCTUnwrap(outcome.value)
    }

    func available(_ staff: StaffActor...) async throws {
        for member in staff { try await SetChatAvailability.run(available: true, by: member, in: world.context) }
    }

    func seqs(_ id: Int, staffOnly: Bool = true) async throws -> [Int] {
        try await chats.messages(conversationId: id, includeStaffOnly: staffOnly).map(\.seq)
    }

    func testConcurrentWritersGetConsecutiveNumbersWithNoGapAndNoDuplicate() async throws {
        try await available(world.handler)
        let id = try await start(anna).conversationId
        try await TakeChat.run(conversationId: id, by: world.handler, in: world.context)
        let context = world.context, customer = anna, handler = world.handler
        let posted = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<24 {
                group.addTask {
                    let outcome: Outcome<PostChatMessage.Posted, PostChatMessage.Field>
                    if index.isMultiple(of: 2) {
                        outcome = try await PostChatMessage.asCustomer(conversationId: id, body: "c\(index)", by: customer, in: context)
                    } else {
                        outcome = try await PostChatMessage.asStaff(conversationId: id, body: "s\(index)", staffOnly: index % 3 == 0,
                                                                    by: handler, in: context)
                    }
                    guard case .done(let done) = outcome else { throw OperationError.notAllowedNow }
                    return done.seq
                }
            }
            var all: [Int] = []
            for try await seq in group { all.append(seq) }
            return all
        }
        // 1 is the "joined" line; the 24 messages took 2…25, each once.
        XCTAssertEqual(posted.sorted(), Array(2...25))
        let stored = try await seqs(id)
        XCTAssertEqual(stored, Array(1...25))
        let record = try await chats.find(id: id)
        XCTAssertEqual(record?.lastSeq, 25)
        // The database itself refuses a second message with a number already used.
        let duplicate = ChatMessageRecord()
        duplicate.conversationId = id
        duplicate.seq = 7
        duplicate.authorKind = .customer
        duplicate.authorName = "x"
        duplicate.staffOnly = false
        duplicate.body = "x"
        duplicate.createdAt = Date()
        do {
            try await duplicate.create(on: world.db)
            XCTFail("UNIQUE(conversation_id, seq)")
        } catch {}
    }

    func testACustomerReachesOnlyTheirOwnConversation() async throws {
        try await available(world.handler)
        let annas = try await start(anna).conversationId
        let visitor = try await start(ChatCustomer(portal: nil, visitorToken: nil), name: "Vera Besök", email: "vera@example.com")
        let token = try XCTUnwrap(visitor.newVisitorToken)
        let signedIn = try await start(anna)
        XCTAssertNil(signedIn.newVisitorToken, "a signed-in user needs no token")
        let bert = ChatCustomer(portal: world.bert, visitorToken: nil)
        let stranger = ChatCustomer(portal: nil, visitorToken: ChatCustomer.newVisitorToken())
        for (customer, id) in [(bert, annas), (stranger, annas), (stranger, visitor.conversationId),
                               (anna, visitor.conversationId), (ChatCustomer(portal: nil, visitorToken: nil), annas)] {
            do {
                _ = try await PostChatMessage.asCustomer(conversationId: id, body: "hej", by: customer, in: world.context)
                XCTFail("reached a conversation that is not theirs")
            } catch let error as OperationError { XCTAssertEqual(error, .notFound) }
        }
        let own = try await PostChatMessage.asCustomer(conversationId: visitor.conversationId, body: "hej",
                                                       by: ChatCustomer(portal: nil, visitorToken: token), in: world.context)
        XCTAssertEqual(own.value?.seq, 1)
        // Only the hash of the visitor's token is stored.
        let stored = try await chats.find(id: visitor.conversationId)
        XCTAssertEqual(stored?.visitorTokenHash, Sessions.storedId(for: token))
        XCTAssertNotEqual(stored?.visitorTokenHash, token)
        let empty = try await PostChatMessage.asCustomer(conversationId: annas, body: "  \n ", by: anna, in: world.context)
        XCTAssertEqual(empty.problems?[.body], "chat_error_empty")
        // At the limit a message is kept whole (ä counts as one character); one more is refused, nothing stored.
        let longest = String(repeating: "ä", count: ChatLimits.message)
        let kept = try await PostChatMessage.asCustomer(conversationId: annas, body: longest, by: anna, in: world.context)
        let keptSeq = try XCTUnwrap(kept.value?.seq)
        let keptBody = try await chats.messages(conversationId: annas, includeStaffOnly: true, limit: 100).first { $0.seq == keptSeq }?.body
        XCTAssertEqual(keptBody, longest)
        let tooLong = try await PostChatMessage.asCustomer(conversationId: annas, body: longest + "a", by: anna, in: world.context)
        XCTAssertEqual(tooLong.problems?[.body], ProblemKey.tooLong)
        let after = try await seqs(annas)
        XCTAssertEqual(after.last, keptSeq, "the refused message took no number")
    }

    func testStartingNeedsSomeoneAvailableAndAValidAddressOtherwiseTheFormLeavesAnInquiry() async throws {
        do {
            _ = try await start(anna)
            XCTFail("nobody is available")
        } catch let error as OperationError { XCTAssertEqual(error, .notAllowedNow) }
        try await available(world.handler)
        let bad = try await StartChat.run(.init(name: " ", email: "not-an-address", language: .en), by: anna, in: world.context)
        XCTAssertEqual(bad.problems?[.name], ProblemKey.required)
        XCTAssertEqual(bad.problems?[.email], ProblemKey.invalidEmail)
        try await SetChatAvailability.run(available: false, by: world.handler, in: world.context)
        let left = try await LeaveChatMessage.run(.init(name: "Vera", email: "vera@example.com", message: "<b>Hjälp</b>",
                                                        language: .en),
                                                  by: ChatCustomer(portal: nil, visitorToken: nil), in: world.context)
        let inquiry = try await Inquiries(database: world.db).find(id: try XCTUnwrap(left.value))
        XCTAssertEqual(inquiry?.description, "<b>Hjälp</b>", "kept as typed; pages escape it")
        XCTAssertEqual(inquiry?.senderEmail, "vera@example.com")
        let copies = try await OutboxRecord.query(on: world.db).filter(\.$recipient == "vera@example.com").count()
        XCTAssertEqual(copies, 1)
        let missing = try await LeaveChatMessage.run(.init(name: "Vera", email: "vera@example.com", message: " ", language: .en),
                                                     by: anna, in: world.context)
        XCTAssertEqual(missing.problems?[.message], ProblemKey.required)
    }

    func testOneOfTwoTakesWinsAndOnlyTheTakerWritesHandsOverOrEnds() async throws {
        try await available(world.handler, colleague)
        let id = try await start(anna).conversationId
        try await TakeChat.run(conversationId: id, by: world.handler, in: world.context)
        do {
            try await TakeChat.run(conversationId: id, by: colleague, in: world.context)
            XCTFail("taken twice")
        } catch let error as OperationError { XCTAssertEqual(error, .alreadyDone) }
        do {
            _ = try await PostChatMessage.asStaff(conversationId: id, body: "hej", staffOnly: false, by: colleague, in: world.context)
            XCTFail("only the taker writes")
        } catch let error as OperationError { XCTAssertEqual(error, .forbidden) }
        // Hand over: only to an available colleague.
        try await SetChatAvailability.run(available: false, by: colleague, in: world.context)
        let refused = try await HandOverChat.run(conversationId: id, to: colleague.staffId, by: world.handler, in: world.context)
        XCTAssertEqual(refused.problems?[.colleague], "chat_error_colleague_away")
        try await available(colleague)
        let moved = try await HandOverChat.run(conversationId: id, to: colleague.staffId, by: world.handler, in: world.context)
        XCTAssertNotNil(moved.value)
        let record = try await chats.find(id: id)
        XCTAssertEqual(record?.assignedStaffId, colleague.staffId)
        let answered = try await PostChatMessage.asStaff(conversationId: id, body: "Jag tar över", staffOnly: false,
                                                         by: colleague, in: world.context)
        XCTAssertEqual(answered.value?.seq, 3)
        do {
            try await EndChat.asStaff(conversationId: id, by: world.handler, in: world.context)
            XCTFail("the previous taker cannot end it")
        } catch let error as OperationError { XCTAssertEqual(error, .forbidden) }
        try await EndChat.asStaff(conversationId: id, by: colleague, in: world.context)
        do {
            _ = try await PostChatMessage.asCustomer(conversationId: id, body: "hallå?", by: anna, in: world.context)
            XCTFail("an ended chat takes no more messages")
        } catch let error as OperationError { XCTAssertEqual(error, .notAllowedNow) }
        let lines = try await chats.messages(conversationId: id, includeStaffOnly: false).map(\.authorKind)
        XCTAssertEqual(lines, [.system, .system, .staff, .system])
        let ended = try await chats.find(id: id)
        XCTAssertEqual(ended?.state, .ended)
        XCTAssertNil(ended?.inquiryId, "answered chats do not become inquiries")
    }

    func testStaffNotesStayOutOfTheCustomersReadingAndTheTranscript() async throws {
        try await available(world.handler)
        let id = try await start(anna).conversationId
        try await TakeChat.run(conversationId: id, by: world.handler, in: world.context)
        _ = try await PostChatMessage.asCustomer(conversationId: id, body: "Hur skapar jag ett ärende?", by: anna, in: world.context)
        _ = try await PostChatMessage.asStaff(conversationId: id, body: "HEMLIG anteckning", staffOnly: true, by: world.handler,
                                              in: world.context)
        _ = try await PostChatMessage.asStaff(conversationId: id, body: "Klicka på Nytt ärende.", staffOnly: false,
                                              by: world.handler, in: world.context)
        let customerSees = try await seqs(id, staffOnly: false)
        XCTAssertEqual(customerSees, [1, 2, 4])
        let after = try await chats.messages(conversationId: id, after: 2, includeStaffOnly: false).map(\.body)
        XCTAssertEqual(after, ["Klicka på Nytt ärende."])
        try await SendChatTranscript.asCustomer(conversationId: id, by: anna, in: world.context)
        let mail = try await OutboxRecord.query(on: world.db).filter(\.$kind == OutboxKind.chatTranscript.rawValue).first()
        let body = try XCTUnwrap(mail?.body)
        XCTAssertEqual(mail?.recipient, "anna@example.com")
        XCTAssertTrue(body.contains("Hur skapar jag ett ärende?") && body.contains("Klicka på Nytt ärende."), body)
        XCTAssertFalse(body.contains("HEMLIG"), body)
        do {
            try await SendChatTranscript.asCustomer(conversationId: id, by: ChatCustomer(portal: world.bert, visitorToken: nil),
                                                    in: world.context)
            XCTFail("another customer's transcript")
        } catch let error as OperationError { XCTAssertEqual(error, .notFound) }
    }

    func testACustomerWhoLeavesUnansweredAndTheSweepBothMakeInquiries() async throws {
        try await available(world.handler)
        let left = try await start(anna).conversationId
        _ = try await PostChatMessage.asCustomer(conversationId: left, body: "Hur ser jag gamla ärenden?", by: anna,
                                                 in: world.context)
        let ended = try await EndChat.asCustomer(conversationId: left, by: anna, in: world.context)
        let inquiryId = try XCTUnwrap(ended.inquiryId)
        let inquiry = try await Inquiries(database: world.db).find(id: inquiryId)
        XCTAssertEqual(inquiry?.createdByUserId, world.anna.userId, "in the customer's own \"my inquiries\"")
        XCTAssertTrue(inquiry?.description.contains("Hur ser jag gamla ärenden?") ?? false)
        let record = try await chats.find(id: left)
        XCTAssertEqual(record?.inquiryId, inquiryId)
        XCTAssertEqual(record?.state, .ended)

        // The sweep: a chat someone took is not unanswered; a waiting one is, once nobody is available.
        let taken = try await start(anna).conversationId
        try await TakeChat.run(conversationId: taken, by: world.handler, in: world.context)
        let waiting = try await start(anna).conversationId
        _ = try await PostChatMessage.asCustomer(conversationId: waiting, body: "Någon där?", by: anna, in: world.context)
        let silent = try await start(anna).conversationId
        let early = try await ConvertUnansweredChats.run(maxWait: 600, in: world.context)
        XCTAssertEqual(early, [], "someone is available and nobody waited ten minutes")
        try await SetChatAvailability.run(available: false, by: world.handler, in: world.context)
        let converted = try await ConvertUnansweredChats.run(maxWait: 600, in: world.context)
        XCTAssertEqual(converted.count, 1)
        let states = try await [taken, waiting, silent].asyncMap { try await self.chats.find(id: $0)?.state }
        XCTAssertEqual(states, [.active, .ended, .ended])
        let silentRecord = try await chats.find(id: silent)
        XCTAssertNil(silentRecord?.inquiryId, "nothing was written, so there is nothing to ask")
        let count = try await InquiryRecord.query(on: world.db).count()
        XCTAssertEqual(count, 2)
    }

    /// Issue 15 point 3 with B7: an unanswered chat became an inquiry; when staff make a case of it and
    /// answer by e-mail, the chat is on that case and the customer's mailed reply continues it there.
    func testAChatThatBecameAnInquiryFollowsItOntoTheCaseWhereAMailedReplyContinuesIt() async throws {
        try await available(world.handler)
        let id = try await start(anna).conversationId
        _ = try await PostChatMessage.asCustomer(conversationId: id, body: "Kan ni ringa mig om hissen?", by: anna, in: world.context)
        let ended = try await EndChat.asCustomer(conversationId: id, by: anna, in: world.context)
        let inquiryId = try XCTUnwrap(ended.inquiryId)
        let other = try await start(anna).conversationId  // another chat, not this inquiry's
        let input = CaseFromInquiry.Input(
            inquiryId: inquiryId, subject: "Hissen", description: "Från chatten", category: .none, type: .none, priority: .none,
            handler: .none, supplier: .none, customer: .id(try XCTUnwrap(world.caseA.customerId)), object: .none,
            workSiteAddress: "Gatan 1", referenceName: "", senderName: "Anna Test", senderEmail: "anna@example.com",
            senderPhone: "", notifyCustomer: true, notifySupplier: false, language: .en)
        let outcome = try await CaseFromInquiry.run(input, by: world.handler, in: world.context)
        let number = try XCTUnwrap(outcome.value)
        let made = try await CaseRecord.query(on: world.db).filter(\.$number == number).first()
        let caseId = try XCTUnwrap(made?.id)
        let attached = try await chats.attachedSummaries(caseId: caseId)
        XCTAssertEqual(attached.map(\.id), [id], "the inquiry's chat, and only it, is on the case")
        let untouched = try await chats.find(id: other)
        XCTAssertNil(untouched?.caseId)

        // The company's answer by e-mail names the case, so it carries the case's Reply-To (B7).
        let notice = try await OutboxRecord.query(on: world.db).filter(\.$recipient == "anna@example.com").all()
            .first { $0.kind == OutboxKind.inquiryAccepted.rawValue }
        XCTAssertEqual(notice?.caseId, caseId)
        // The customer answers the company's e-mail: the reply lands on the same case, after the chat.
        let writer = try await PlaceEmailReply.writer(caseId: caseId, email: "anna@example.com", in: world.context)
        let placed = try await PlaceEmailReply.run(.init(writer: try XCTUnwrap(writer), body: "Ring efter tre, tack.", attachments: []),
                                                   in: world.context)
        XCTAssertNotNil(placed.messageId)
        let messages = try await CaseConversation(database: world.db).publicMessages(caseId: caseId)
        XCTAssertTrue(messages.map(\.body).contains("Ring efter tre, tack."))
    }

    func testAttachingGoesThroughTheAccessRule() async throws {
        try await available(world.handler)
        let id = try await start(anna).conversationId
        do {
            try await AttachChatToCase.asCustomer(conversationId: id, caseNumber: world.caseB.number, by: anna, in: world.context)
            XCTFail("another customer's case")
        } catch let error as OperationError { XCTAssertEqual(error, .notFound) }
        try await AttachChatToCase.asCustomer(conversationId: id, caseNumber: world.caseA.number, by: anna, in: world.context)
        let attached = try await chats.attachedSummaries(caseId: try world.caseA.requireID()).map(\.id)
        XCTAssertEqual(attached, [id])
        let visitor = try await start(ChatCustomer(portal: nil, visitorToken: nil), name: "V", email: "v@example.com")
        do {
            try await AttachChatToCase.asCustomer(
                conversationId: visitor.conversationId, caseNumber: world.caseA.number,
                by: ChatCustomer(portal: nil, visitorToken: visitor.newVisitorToken), in: world.context)
            XCTFail("a visitor has no cases")
        } catch let error as OperationError { XCTAssertEqual(error, .forbidden) }
        try await AttachChatToCase.asStaff(conversationId: visitor.conversationId, caseNumber: world.caseB.number,
                                           by: world.handler, in: world.context)
        let onB = try await chats.attachedSummaries(caseId: try world.caseB.requireID()).map(\.id)
        XCTAssertEqual(onB, [visitor.conversationId])
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
