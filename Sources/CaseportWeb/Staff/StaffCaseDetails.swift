import CaseportCore
import CaseportStore
import Fluent
import Vapor

// What the staff case page shows beside the form (issue 11 points 1, 3 and 5): what the customer
// sent with the case, its files, its contacts, and the unread customer activity.

/// A customer message not yet marked read (D4).
struct UnreadMessageView: Encodable {
    var author: String
    var at: String
    var preview: String
}

/// A customer upload not yet marked read (D4).
struct UnreadFileView: Encodable {
    var id: Int
    var name: String
    var at: String
}

/// A file of the case as staff see it: every file, whoever uploaded it.
struct StaffFileView: Encodable {
    var id: Int
    var name: String
    var size: String
    var uploader: String
    var createdAt: String
    var isImage: Bool
    var fromCustomer: Bool
}

struct LinkedContactView: Encodable {
    var id: Int
    var name: String
    var email: String?
    var phone: String?
    var isPrimary: Bool
}

/// The case as the customer registered it: who (with how to reach them), where, and the type's fields.
struct SentDetails: Encodable {
    struct Shown: Encodable {
        var label: String
        var value: String
    }

    var origin: String
    var creatorName: String
    var creatorEmail: String?
    var creatorPhone: String?
    var workSiteAddress: String?
    var referenceName: String?
    var copyEmail: String?
    var smsPhone: String?
    var fields: [Shown]

    /// `hasFieldValues`: false when the page has read already that the case has none (then they are not read).
    static func load(_ request: Request, record: StaffCaseFacts, hasFieldValues: Bool = true) async throws -> SentDetails {
        let cases = StaffCases(database: request.database)
        var (name, email, phone): (String, String?, String?) = (record.createdByName, nil, nil)
        // A8: on a shared account the person who wrote it; else the portal user; else the staff member.
        if let creator = try await cases.creator(personId: record.createdByPersonId, userId: record.createdByUserId,
                                                  staffId: record.createdByStaffId) {
            (name, email, phone) = (creator.name, creator.email, creator.phone)
        }
        let fields = hasFieldValues ? try await cases.fieldValues(caseId: record.id).map {
            Shown(label: $0.label, value: PortalCaseController.display($0.value, language: request))
        } : []
        return SentDetails(origin: request.t(record.origin == .portal ? "origin_portal" : "origin_company"),
                           creatorName: name, creatorEmail: email, creatorPhone: phone,
                           workSiteAddress: record.workSiteAddress, referenceName: record.referenceName,
                           copyEmail: record.copyEmail, smsPhone: record.smsPhone, fields: fields)
    }
}
