import Foundation

/// Who may see a case event. The operation that writes the event decides (D3, C1): an internal
/// note or a change of handler is for staff only; a message to the customer or a status change is
/// also the customer's news.
public enum EventAudience: String, Codable, Sendable, CaseIterable {
    case staff
    case customer
}

/// The fields of a case whose edits are recorded as `CaseEvent.fieldChanged`.
public enum CaseEventField: String, Codable, Sendable, CaseIterable {
    case subject, description, category, type, priority, customer, object
}

/// One change to a case, with what a reader of the stream needs to show it. Stored in `case_events`
/// as its `kind` and a JSON payload; a consumer (the staff timeline, later the customer feed, webhooks,
/// the API and chat) reads them in id order and resumes from the last id it saw.
public enum CaseEvent: Sendable, Hashable {
    /// The case was registered; `channel` says where (the case's origin: `.portal` today). A case made
    /// from an inquiry writes `createdFromInquiry` instead.
    case created(channel: CaseOrigin)
    /// The case was made from an inquiry (D2).
    case createdFromInquiry
    case statusChanged(from: CaseStatus, to: CaseStatus)
    /// A staff edit of one field; values are the names shown at the time (not ids).
    case fieldChanged(CaseEventField, before: String?, after: String?)
    case handlerChanged(before: String?, after: String?)
    case supplierChanged(before: String?, after: String?)
    /// Staff wrote to the customer.
    case staffMessage
    /// Staff wrote an internal note (never shown to customers).
    case internalNote
    /// The customer wrote in the portal.
    case customerMessage
    /// A reply to a notification mail became a message (B7).
    case emailReply
    /// Files were uploaded to the case (by the customer, or by staff); their shown names.
    case filesUploaded(names: [String])
    /// A file was removed from the case (the customer's own, or any by staff).
    case fileRemoved(name: String)
    /// The customer changed category or priority (B5).
    case classificationChanged(category: Change?, priority: Change?)
    case approved
    case rejected
    case autoApproved
    case approvalReminderSent
    /// Staff linked a further contact to the case (A7: its users now see the case); the contact's name.
    case contactLinked(name: String)
    /// Staff unlinked a contact from the case.
    case contactUnlinked(name: String)

    /// A before → after pair of shown names.
    public struct Change: Codable, Sendable, Hashable {
        public var before: String?
        public var after: String?
        public init(before: String?, after: String?) {
            self.before = before
            self.after = after
        }
    }

    /// The stored name of each kind. Names already in databases before M019 keep their spelling.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case created
        case createdFromInquiry = "from_inquiry"
        case statusChanged = "status"
        case fieldChanged = "field"
        case handlerChanged = "handler"
        case supplierChanged = "supplier"
        case staffMessage = "message"
        case internalNote = "note"
        case customerMessage = "customer_message"
        case emailReply = "email_reply"
        case filesUploaded = "files_uploaded"
        case fileRemoved = "file_removed"
        case classificationChanged = "classification"
        case approved
        case rejected
        case autoApproved = "auto_approved"
        case approvalReminderSent = "approval_reminder"
        case contactLinked = "contact_linked"
        case contactUnlinked = "contact_unlinked"
    }

    public var kind: Kind {
        switch self {
        case .created: return .created
        case .createdFromInquiry: return .createdFromInquiry
        case .statusChanged: return .statusChanged
        case .fieldChanged: return .fieldChanged
        case .handlerChanged: return .handlerChanged
        case .supplierChanged: return .supplierChanged
        case .staffMessage: return .staffMessage
        case .internalNote: return .internalNote
        case .customerMessage: return .customerMessage
        case .emailReply: return .emailReply
        case .filesUploaded: return .filesUploaded
        case .fileRemoved: return .fileRemoved
        case .classificationChanged: return .classificationChanged
        case .approved: return .approved
        case .rejected: return .rejected
        case .autoApproved: return .autoApproved
        case .approvalReminderSent: return .approvalReminderSent
        case .contactLinked: return .contactLinked
        case .contactUnlinked: return .contactUnlinked
        }
    }

    /// Who sees this kind unless the operation says otherwise: everything the customer did or was
    /// told is theirs too; internal notes and staff assignments are not.
    public var defaultAudience: EventAudience {
        switch self {
        case .internalNote, .handlerChanged, .supplierChanged, .approvalReminderSent, .createdFromInquiry, .contactLinked,
             .contactUnlinked:
            return .staff
        case .fieldChanged(let field, _, _):
            return field == .subject || field == .description ? .customer : .staff
        default:
            return .customer
        }
    }
}

// MARK: Storage form

extension CaseEvent {
    /// The payload of each kind, as stored (JSON). Kinds without data store no payload.
    struct Payload: Codable {
        var field: CaseEventField?
        var from: CaseStatus?
        var to: CaseStatus?
        var before: String?
        var after: String?
        var names: [String]?
        var name: String?
        var category: Change?
        var priority: Change?
        var channel: CaseOrigin?
    }

    public enum DecodingProblem: Error, Equatable {
        case unknownKind(String)
        case badPayload(String)
    }

    /// The JSON text to store with `kind`, or nil when the kind carries nothing.
    public func encodedPayload() -> String? {
        var payload = Payload()
        switch self {
        case .created(let channel):
            payload.channel = channel
        case .statusChanged(let from, let to):
            payload.from = from
            payload.to = to
        case .fieldChanged(let field, let before, let after):
            payload.field = field
            payload.before = before
            payload.after = after
        case .handlerChanged(let before, let after), .supplierChanged(let before, let after):
            payload.before = before
            payload.after = after
        case .filesUploaded(let names):
            payload.names = names
        case .fileRemoved(let name), .contactLinked(let name), .contactUnlinked(let name):
            payload.name = name
        case .classificationChanged(let category, let priority):
            payload.category = category
            payload.priority = priority
        case .createdFromInquiry, .staffMessage, .internalNote, .customerMessage, .emailReply, .approved, .rejected,
             .autoApproved, .approvalReminderSent:
            return nil
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(payload)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Rebuilds an event from its stored kind and payload; a kind this version does not know, or a
    /// payload missing what its kind needs, is an error rather than a silently wrong event.
    public init(kind raw: String, payload text: String?) throws {
        guard let kind = Kind(rawValue: raw) else { throw DecodingProblem.unknownKind(raw) }
        let payload: Payload
        if let text, !text.isEmpty {
            guard let decoded = try? JSONDecoder().decode(Payload.self, from: Data(text.utf8)) else {
                throw DecodingProblem.badPayload(raw)
            }
            payload = decoded
        } else {
            payload = Payload()
        }
        switch kind {
        case .created:
            guard let channel = payload.channel else { throw DecodingProblem.badPayload(raw) }
            self = .created(channel: channel)
        case .createdFromInquiry: self = .createdFromInquiry
        case .statusChanged:
            guard let from = payload.from, let to = payload.to else { throw DecodingProblem.badPayload(raw) }
            self = .statusChanged(from: from, to: to)
        case .fieldChanged:
            guard let field = payload.field else { throw DecodingProblem.badPayload(raw) }
            self = .fieldChanged(field, before: payload.before, after: payload.after)
        case .handlerChanged: self = .handlerChanged(before: payload.before, after: payload.after)
        case .supplierChanged: self = .supplierChanged(before: payload.before, after: payload.after)
        case .staffMessage: self = .staffMessage
        case .internalNote: self = .internalNote
        case .customerMessage: self = .customerMessage
        case .emailReply: self = .emailReply
        case .filesUploaded: self = .filesUploaded(names: payload.names ?? [])
        case .fileRemoved:
            guard let name = payload.name else { throw DecodingProblem.badPayload(raw) }
            self = .fileRemoved(name: name)
        case .classificationChanged: self = .classificationChanged(category: payload.category, priority: payload.priority)
        case .approved: self = .approved
        case .rejected: self = .rejected
        case .autoApproved: self = .autoApproved
        case .approvalReminderSent: self = .approvalReminderSent
        case .contactLinked, .contactUnlinked:
            guard let name = payload.name else { throw DecodingProblem.badPayload(raw) }
            self = kind == .contactLinked ? .contactLinked(name: name) : .contactUnlinked(name: name)
        }
    }
}
