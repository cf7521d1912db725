import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import Vapor
import XCTest

/// B7: replies by e-mail, from fixtures in the styles of common mail clients (Fixtures/mailgate/*.eml).
final class MailGateTests: XCTestCase {
    var harness: WebHarness!
    let tokens = ReplyTokens(secret: "gate-secret")

    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    var gate: MailGate {
        MailGate(database: harness.app.db, storage: harness.app.caseport.storage, tokens: tokens,
                 translations: harness.app.caseport.translations)
    }

    func annasCase() async throws -> CaseRecord {
        let customer = try await Demo.customer("1001", on: harness.app.db)
        return try await CaseRecord.query(on: harness.app.db).filter(\.$customerId == customer.id!)
            .filter(\.$status != .closed).sort(\.$number, .descending).first()!
    }

    func fixture(_ name: String, token: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mailgate/\(name)")
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "{{TOKEN}}", with: token)
        return Array(text.utf8)
    }

    func place(_ name: String) async throws -> (CaseRecord, CaseMessageRecord?, [StoredFileRecord]) {
        let target = try await annasCase()
        let token = tokens.token(caseId: target.id!, recipient: "anna@solglantan.example")
        let outcome = try await gate.receive(try fixture(name, token: token))
        guard case .placed(let caseId, let messageId, _) = outcome else {
            XCTFail("\(name) was not placed: \(outcome)")
            return (target, nil, [])
        }
        XCTAssertEqual(caseId, target.id)
        let message = try await CaseMessageRecord.find(messageId, on: harness.app.db)
        XCTAssertEqual(message?.authorKind, .customer)
        XCTAssertEqual(message?.authorName, "Anna Lindqvist")
        XCTAssertEqual(message?.isInternal, false)
        let files = try await StoredFileRecord.query(on: harness.app.db).filter(\.$caseId == target.id!).filter(\.$uploaderName == "Anna Lindqvist")
            .all()
        return (target, message, files)
    }

    func testThunderbirdBottomPostedReplyWithSignature() async throws {
        let (target, message, files) = try await place("thunderbird.eml")
        XCTAssertEqual(message?.body, "Hej!\n\nKranen i tvättstugan läcker fortfarande, nu även på golvet.\nKan ni komma i morgon?")
        XCTAssertEqual(files.count, 0)
        let record = try await CaseRecord.find(target.id, on: harness.app.db)!
        XCTAssertTrue(record.hasUnreadActivity, "the back office sees the reply as new (D4)")
        let events = try await CaseEventRecord.query(on: harness.app.db).filter(\.$caseId == target.id!).all().map(\.kind)
        XCTAssertTrue(events.contains("email_reply"))
    }

    func testOutlookLatin1ReplyWithQuotedHeaderBlockAndPDF() async throws {
        let (_, message, files) = try await place("outlook.eml")
        XCTAssertEqual(message?.body, "Hej,\n\nVi ser fortfarande fukt vid fönstret i trapphus B. Se bifogad översikt.\n\nMed vänlig hälsning\nAnna Lindqvist")
        XCTAssertEqual(files.map(\.originalName), ["översikt.pdf"])
        XCTAssertEqual(files.first?.contentType, "application/pdf")
        let bytes = try await harness.stored(files[0].storageKey)
        XCTAssertTrue(bytes?.starts(with: Array("%PDF-1.4".utf8)) == true)
    }

    func testGmailBase64ReplyWithWrappedAttributionAndImage() async throws {
        let (_, message, files) = try await place("gmail.eml")
        XCTAssertEqual(message?.body, "Hej,\n\nHär är en bild på skadan. Tack för snabbt svar!\n\nAnna")
        XCTAssertEqual(files.map(\.originalName), ["skada.png"])
        XCTAssertEqual(files.first?.contentType, "image/png")
    }

    func testAppleMailReplyWithoutSentFromLine() async throws {
        let (_, message, _) = try await place("apple-mail.eml")
        XCTAssertEqual(message?.body, "Toppen, då ses vi på tisdag kl. 8.")
    }

    func testForgedAlteredOrMovedTokensAreRefusedAndTheMailIsKept() async throws {
        let target = try await annasCase()
        let genuine = tokens.token(caseId: target.id!, recipient: "anna@solglantan.example")
        var altered = Array(genuine)
        altered[altered.count - 1] = altered.last == "a" ? "b" : "a"
        let otherCase = "c\(target.id! + 1)-" + genuine.split(separator: "-")[1]
        let forged = ReplyTokens(secret: "not-the-key").token(caseId: target.id!, recipient: "anna@solglantan.example")
        for token in [String(altered), otherCase, forged, "nonsense"] {
            let outcome = try await gate.receive(try fixture("thunderbird.eml", token: token))
            XCTAssertEqual(outcome, .unplaced(reason: "bad_token"), token)
        }
        // Anna's genuine token sent from someone else's address.
        let fromErik = String(decoding: try fixture("thunderbird.eml", token: genuine), as: UTF8.self)
            .replacingOccurrences(of: "From: Anna Lindqvist <anna@solglantan.example>", with: "From: Erik <erik@norrsken.example>")
        let erik = try await gate.receive(Array(fromErik.utf8))
        XCTAssertEqual(erik, .unplaced(reason: "bad_token"))
        // No reply address at all.
        let plain = "From: anna@solglantan.example\r\nTo: info@fastighet.example\r\nSubject: Hej\r\n\r\nHej!\r\n"
        let none = try await gate.receive(Array(plain.utf8))
        XCTAssertEqual(none, .unplaced(reason: "no_token"))

        let kept = try await UnplacedMailRecord.query(on: harness.app.db).all()
        XCTAssertEqual(kept.count, 6, "nothing is dropped")
        for mail in kept {
            let bytes = try await harness.stored(try XCTUnwrap(mail.rawKey))
            XCTAssertTrue(bytes.map { String(decoding: $0, as: UTF8.self).contains("Subject:") } ?? false,
                          "each kept whole, as a file")
        }
        XCTAssertEqual(kept.first?.subject, "Re: Kopia av ditt meddelande i ärende 1001")
        let messages = try await CaseMessageRecord.query(on: harness.app.db).filter(\.$caseId == target.id!)
            .filter(\.$body ~~ "Kranen i tvättstugan").count()
        XCTAssertEqual(messages, 0)

        // Staff see them on the admin page.
        let admin = harness.browser()
        try await admin.staffLogin("admin@example.com")
        try await admin.get("/staff/outbox")
        XCTAssertTrue(admin.lastBody.contains("Ogiltig eller ändrad svarsadress"))
    }

    func testASenderWhoNoLongerSeesTheCaseIsKeptForStaff() async throws {
        let target = try await annasCase()
        // A token genuinely signed for Erik, who cannot see Anna's case (A7).
        let token = tokens.token(caseId: target.id!, recipient: "erik@norrsken.example")
        let raw = String(decoding: try fixture("apple-mail.eml", token: token), as: UTF8.self)
            .replacingOccurrences(of: "From: Anna Lindqvist <anna@solglantan.example>", with: "From: Erik <erik@norrsken.example>")
        let outcome = try await gate.receive(Array(raw.utf8))
        XCTAssertEqual(outcome, .unplaced(reason: "unknown_sender"))
    }

    func testEncodedHeadersAndQuotedPrintable() {
        XCTAssertEqual(MIMEText.decodeHeader("=?ISO-8859-1?Q?SV:_=E4rende_=F6ppet?="), "SV: ärende öppet")
        XCTAssertEqual(MIMEText.decodeHeader("=?UTF-8?B?w6RyZW5kZQ==?= =?UTF-8?Q?_=C3=B6?= x"), "ärende ö x")
        XCTAssertEqual(MIMEText.decodeHeader("plain text"), "plain text")
        XCTAssertEqual(String(decoding: MIMEText.decodeQuotedPrintable(Array("l=C3=A4ng =\r\nrad".utf8)), as: UTF8.self), "läng rad")
        XCTAssertEqual(MIMEPart.parameters("attachment; filename*=UTF-8''na%C3%AFve%20fil.txt")["filename"], "naïve fil.txt")
        // What the composer encodes, the gate decodes.
        let subject = "Kopia: ärende 1001 – Läckande kran i tvättstugan på våning 3, trapphus B (brådskande)"
        let encoded = MailComposer.encodeWord(subject).replacingOccurrences(of: "\r\n", with: "")
        XCTAssertEqual(MIMEText.decodeHeader(encoded), subject)
    }
}
