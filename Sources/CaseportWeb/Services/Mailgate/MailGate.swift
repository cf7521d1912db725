import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Foundation
import Vapor

/// Places an e-mailed reply on its case (B7). The reply address carries a token signed for one case and
/// one recipient; the gate accepts it only from that recipient's address, and only for a portal user
/// who can see the case under the access rule (A7) or a contact linked to the case. The reply's own text
/// (without quoted history and signature) becomes a customer message; attachments are stored like
/// uploads (`PlaceEmailReply` writes both, with the event, in one transaction). Anything that cannot be placed is kept whole in `unplaced_mail` for staff — never dropped.
struct MailGate: Sendable {
    let database: any Database
    let storage: any FileStorage
    let tokens: ReplyTokens
    let translations: Translations
    /// Largest attachment kept (the same limit as uploads).
    static let maximumAttachmentBytes = 30 * 1_048_576

    enum Outcome: Equatable {
        case placed(caseId: Int, messageId: Int, attachments: Int)
        case unplaced(reason: String)
    }

    /// Mail larger than this is kept for staff unread: a reply with a 30 MB attachment is about 41 MB
    /// in base64, and nothing larger is parsed in memory.
    static let largestParsed = 45 * 1_048_576

    /// `recipient`: the envelope recipient when the MTA passes it (e.g. `$ORIGINAL_RECIPIENT`), else the
    /// token is looked for in Delivered-To, X-Original-To, To and Cc.
    func receive(_ raw: [UInt8], recipient: String? = nil, now: Date = Date()) async throws -> Outcome {
        // Only the top-level headers are read before the reply token is checked: mail with no valid
        // token costs no MIME parsing, however it is built.
        let headers = MIMEPart(headers: MIMEPart.parseHeaders(raw[...]).headers, body: [])
        let sender = headers.header("From").flatMap { MIMEText.address(in: MIMEText.decodeHeader($0)) } ?? ""
        func unplaced(_ reason: String) async throws -> Outcome {
            try await keep(raw, headers: headers, reason: reason, now: now)
            return .unplaced(reason: reason)
        }

        var candidates: [String] = []
        if let recipient { candidates.append(recipient) }
        for name in ["Delivered-To", "X-Original-To", "To", "Cc"] {
            candidates += headers.allHeaders(name).flatMap { MIMEText.addresses(in: $0) }
        }
        let found = candidates.prefix(50).compactMap(ReplyTokens.token(inAddress:))
        guard !found.isEmpty else { return try await unplaced("no_token") }
        guard !sender.isEmpty, let caseId = found.lazy.compactMap({ tokens.verify(token: $0, sender: sender) }).first else {
            return try await unplaced("bad_token")
        }
        guard raw.count <= Self.largestParsed else { return try await unplaced("too_large") }
        let context = operationContext(now: now)
        guard try await CaseRecord.find(caseId, on: database) != nil else { return try await unplaced("unknown_case") }
        guard let writer = try await PlaceEmailReply.writer(caseId: caseId, email: sender, in: context) else {
            return try await unplaced("unknown_sender")
        }

        let message = MIMEPart.parse(raw)
        let leaves = message.leaves
        let textPart = leaves.first { !$0.isAttachment && $0.contentType == "text/plain" }
        let htmlPart = leaves.first { !$0.isAttachment && $0.contentType == "text/html" }
        let fullText = textPart?.text ?? htmlPart.map { MIMEText.plainText(fromHTML: $0.text) } ?? ""
        let body = String(ReplyText.extract(fullText).prefix(InputLimits.message))
        let attachments = leaves.filter(\.isAttachment).filter { !$0.decodedBody.isEmpty }
        guard !body.isEmpty || !attachments.isEmpty else { return try await unplaced("empty") }

        // The bytes go to storage first; if the reply cannot be written they are deleted again.
        var stored: [AttachUploadedFiles.StoredUpload] = []
        do {
            for attachment in attachments {
                let bytes = attachment.decodedBody
                guard bytes.count <= Self.maximumAttachmentBytes else { continue }
                let key = storage.newKey()
                try await storage.put(key: key, bytes: bytes)
                stored.append(.init(storageKey: key, originalName: PortalCaseController.cleanFilename(attachment.filename ?? "attachment"),
                                    contentType: ContentSniffing.detect(Array(bytes.prefix(16))) ?? "application/octet-stream",
                                    byteSize: bytes.count))
            }
            let placed = try await PlaceEmailReply.run(.init(writer: writer, body: body, attachments: stored), in: context)
            return .placed(caseId: placed.caseId, messageId: placed.messageId ?? 0, attachments: placed.attachments)
        } catch {
            for file in stored { try? await storage.delete(key: file.storageKey) }
            throw error
        }
    }

    /// Keeps a message for staff: the bytes as a file in storage (never in the database, which the
    /// staff list would otherwise drag along), the sender, subject and reason in `unplaced_mail`.
    private func keep(_ raw: [UInt8], headers: MIMEPart, reason: String, now: Date) async throws {
        let key = storage.newKey()
        try await storage.put(key: key, bytes: raw)
        try await record(headers: headers, reason: reason, key: key, bytes: raw.count, now: now)
    }

    /// A message too large to read in memory, already staged as it arrived: stored and listed for
    /// staff with the sender and subject from its first bytes.
    func keepUnread(_ file: StagedFile, bytes: Int, now: Date = Date()) async throws -> Outcome {
        let headers = MIMEPart(headers: MIMEPart.parseHeaders(file.head[...]).headers, body: [])
        let key = storage.newKey()
        try await storage.put(key: key, from: .staged(file))
        try await record(headers: headers, reason: "too_large", key: key, bytes: bytes, now: now)
        return .unplaced(reason: "too_large")
    }

    private func record(headers: MIMEPart, reason: String, key: String, bytes: Int, now: Date) async throws {
        let from = headers.header("From").map(MIMEText.decodeHeader) ?? ""
        let input = KeepUnplacedMail.Input(sender: MIMEText.address(in: from) ?? from,
                                           subject: MIMEText.decodeHeader(headers.header("Subject") ?? ""),
                                           reason: reason, storageKey: key, bytes: bytes)
        do {
            try await KeepUnplacedMail.run(input, in: operationContext(now: now))
        } catch {
            try? await storage.delete(key: key)
            throw error
        }
    }

    /// The operations' context for one message; only the file messages' texts are read (a reply sends no mail).
    private func operationContext(now: Date) -> OperationContext {
        OperationContext(database: database, clock: { now },
                         notifications: NotificationContext(translations: translations, publicBaseURL: "", companyName: ""))
    }
}

/// `caseport mailgate [--recipient ADDRESS]`: reads one message from standard input and places it
/// (see `MailGate`). For an MTA pipe, e.g. Postfix `reply: "|/usr/local/bin/caseport mailgate"`.
/// Exit status 0 when the message was placed or kept for staff; 75 (EX_TEMPFAIL, the MTA retries later)
/// when the database could not be reached.
struct MailgateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "recipient", help: "The envelope recipient, when the MTA passes it.")
        var recipient: String?
        init() {}
    }

    var help: String { "Reads one e-mail reply from standard input and adds it to its case (B7)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        do {
            try await prepareDatabase(app)
            let worker = OutboxWorker(database: app.db, config: app.caseport.config.delivery, group: app.eventLoopGroup,
                                      client: app.client, logger: app.logger)
            let gate = MailGate(database: app.db, storage: app.caseport.storage, tokens: ReplyTokens(secret: try await worker.secret()),
                                translations: app.caseport.translations)
            let outcome: MailGate.Outcome
            switch try MailInput.read(from: FileHandle.standardInput, inMemoryUpTo: MailGate.largestParsed,
                                      storage: app.caseport.storage) {
            case .inMemory(let bytes):
                outcome = try await gate.receive(bytes, recipient: signature.recipient)
            case .spilled(let file, let bytes):
                defer { file.discard() }
                outcome = try await gate.keepUnread(file, bytes: bytes)
            }
            switch outcome {
            case .placed(let caseId, _, let attachments):
                context.console.print("mailgate: added to case id \(caseId) with \(attachments) attachment(s)")
            case .unplaced(let reason):
                context.console.print("mailgate: kept for staff (\(reason))")
            }
        } catch {
            FileHandle.standardError.write(Data("caseport mailgate: \(error)\n".utf8))
            exit(75)
        }
    }
}

/// The message on standard input: in memory while it is small enough to parse, else staged in storage
/// as it arrives (the mail gate then keeps it for staff without reading it), so a huge message never
/// sits in memory whole and nothing is cut off.
enum MailInput {
    case inMemory([UInt8])
    /// `file.head` holds the message's first 64 KB (its headers).
    case spilled(StagedFile, bytes: Int)

    /// Past this the rest is read and dropped, so the MTA does not retry forever; the kept file says how
    /// much arrived. An MTA's own size limit (Postfix: 10 MB by default) normally ends such mail first.
    static let largestKept = 512 * 1_048_576

    static func read(from input: FileHandle, inMemoryUpTo limit: Int, storage: any FileStorage) throws -> MailInput {
        var buffer: [UInt8] = []
        var spill: StagedFile?
        var total = 0
        do {
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                total += chunk.count
                if let spill {
                    if total <= largestKept { try spill.write(chunk) }
                    continue
                }
                buffer += chunk
                if buffer.count > limit {
                    let file = try storage.stage()
                    spill = file
                    try file.write(buffer)
                    buffer = []
                }
            }
        } catch {
            spill?.discard()
            throw error
        }
        if let spill {
            spill.finish()
            return .spilled(spill, bytes: min(total, largestKept))
        }
        return .inMemory(buffer)
    }
}
