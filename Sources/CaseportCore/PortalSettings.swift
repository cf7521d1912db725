/// The deployment's portal settings (SPEC D5). Staff edit them in the back office; until then the
/// defaults below apply and the demo sets a few.
public struct PortalSettings: Codable, Sendable, Equatable {
    /// Extra columns in the portal's case list (B1), beyond number, subject, description, created, status.
    public enum ListColumn: String, Codable, Sendable, CaseIterable {
        case category, caseType = "case_type", priority, object, customer
    }

    public var organisationLoginField: OrganisationLoginField = .any
    public var extraListColumns: [ListColumn] = []
    public var customerMayEditCategory = false
    public var customerMayEditPriority = false
    public var smsEnabled = false
    public var selfRegistrationOpen = false
    public var passwordPolicy = PasswordPolicy.standard
    public var objectRequired = false
    public var customerRequired = false
    /// D2: portal submissions land in the staff inbox as inquiries instead of becoming cases at once.
    public var inquiriesFirst = false
    /// C8: the portal's colours and logo.
    public var branding = Branding()
    /// The category bulk-created cases from the inbox get (D2, "warranty claim"); found or created on first use.
    public var warrantyCategoryId: Int?
    /// D5: a new case must have a category (the portal's new-case form).
    public var categoryRequired = false
    /// D5/B6: days a resolved case waits before the approval reminder; nil: the deployment's default
    /// (`APPROVAL_REMINDER_DAYS`, else 5).
    public var approvalReminderDays: Int?
    public static let approvalReminderDayRange = 1...365
    /// B8: the columns of the portal's "Actions" table (article rows), in this order.
    public var actionColumns: [ActionColumn] = ActionColumn.standard
    /// Issue 12: a customer's answer moves a case that waits for them back to "in progress". Off: the
    /// status stays and only the unread marker (D4) tells the handler.
    public var customerAnswerReturnsCase = true
    /// Issue 12: whom customers contact (the company's phone and e-mail), shown on the login, lockout and
    /// error pages. Empty: not shown.
    public var contactPhone = ""
    public var contactEmail = ""
    public static let contactPhoneLength = 40

    public init() {}

    // Settings saved by an older version lack newer keys: each missing key keeps its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = PortalSettings()
        organisationLoginField = (try? container.decode(OrganisationLoginField.self, forKey: .organisationLoginField)) ?? defaults.organisationLoginField
        extraListColumns = (try? container.decode([ListColumn].self, forKey: .extraListColumns)) ?? defaults.extraListColumns
        customerMayEditCategory = (try? container.decode(Bool.self, forKey: .customerMayEditCategory)) ?? defaults.customerMayEditCategory
        customerMayEditPriority = (try? container.decode(Bool.self, forKey: .customerMayEditPriority)) ?? defaults.customerMayEditPriority
        smsEnabled = (try? container.decode(Bool.self, forKey: .smsEnabled)) ?? defaults.smsEnabled
        selfRegistrationOpen = (try? container.decode(Bool.self, forKey: .selfRegistrationOpen)) ?? defaults.selfRegistrationOpen
        passwordPolicy = (try? container.decode(PasswordPolicy.self, forKey: .passwordPolicy)) ?? defaults.passwordPolicy
        objectRequired = (try? container.decode(Bool.self, forKey: .objectRequired)) ?? defaults.objectRequired
        customerRequired = (try? container.decode(Bool.self, forKey: .customerRequired)) ?? defaults.customerRequired
        inquiriesFirst = (try? container.decode(Bool.self, forKey: .inquiriesFirst)) ?? defaults.inquiriesFirst
        branding = (try? container.decode(Branding.self, forKey: .branding)) ?? defaults.branding
        warrantyCategoryId = try? container.decode(Int.self, forKey: .warrantyCategoryId)
        categoryRequired = (try? container.decode(Bool.self, forKey: .categoryRequired)) ?? defaults.categoryRequired
        approvalReminderDays = try? container.decode(Int.self, forKey: .approvalReminderDays)
        actionColumns = (try? container.decode([ActionColumn].self, forKey: .actionColumns)) ?? defaults.actionColumns
        customerAnswerReturnsCase = (try? container.decode(Bool.self, forKey: .customerAnswerReturnsCase)) ?? defaults.customerAnswerReturnsCase
        contactPhone = (try? container.decode(String.self, forKey: .contactPhone)) ?? defaults.contactPhone
        contactEmail = (try? container.decode(String.self, forKey: .contactEmail)) ?? defaults.contactEmail
    }
}

/// B6: what the customer's approve button says for a case type (EC seed: "Testad ok" or "godkänt").
public enum ApprovalLabel: String, Codable, Sendable, CaseIterable {
    case approved
    case testedOK = "tested_ok"

    /// A stored value; nil or unknown reads as "Approved".
    public init(stored: String?) { self = stored.flatMap(ApprovalLabel.init(rawValue:)) ?? .approved }

    /// The locale key of the button (and of the message that records the answer).
    public var buttonKey: String { self == .approved ? "approval_approve" : "approval_tested_ok" }
}
