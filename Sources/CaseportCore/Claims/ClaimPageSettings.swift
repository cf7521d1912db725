import Foundation

/// Issue 13 (C7, C9, seed 002): when something on the case's customer page becomes available. A
/// moment is reached once and stays reached: a case that got a positive decision keeps showing what
/// that decision opened even if the decision is later changed (the customer has already seen it).
public enum ClaimMoment: String, Codable, Sendable, CaseIterable {
    /// Shown from the start, without waiting for the case to exist in any particular state.
    case always
    case atCreation = "at_creation"
    /// The first inspection (or main inspection) task got a supplier or an expert.
    case firstInspection = "first_inspection"
    /// The compensation decision was recorded as positive.
    case positiveDecision = "positive_decision"
    case never
}

/// When the personal link is sent (C7): the same moments without "always" and "never", plus
/// "only manually" (staff grant access from the case).
public enum ClaimLinkTrigger: String, Codable, Sendable, CaseIterable {
    case atCreation = "at_creation"
    case firstInspection = "first_inspection"
    case positiveDecision = "positive_decision"
    case manual
}

/// Who gets the personal link (C7, seed 002 "Kontaktperson").
public enum ClaimLinkRecipients: String, Codable, Sendable, CaseIterable {
    /// The policyholder / private customer on the case.
    case customer
    /// The case's contact person(s).
    case contactPerson = "contact_person"
    case both
    /// Everybody linked to the case as a contact.
    case allContacts = "all_contacts"
}

/// Which policyholders get a link at all (seed 002 "Kundetype").
public enum ClaimCustomerTypeChoice: String, Codable, Sendable, CaseIterable {
    case all
    case privateOnly = "private"
    case businessOnly = "business"
}

/// The policyholder's kind (D3: "customer type").
public enum ClaimCustomerType: String, Codable, Sendable, CaseIterable {
    case privateCustomer = "private"
    case business
}

/// C3: which way the Messages tab works.
public enum ClaimMessageDirection: String, Codable, Sendable, CaseIterable {
    case both
    case toCustomer = "to_customer"
    case fromCustomer = "from_customer"
}

/// Every setting of the case's customer page, each with the deployment's default. Effective values
/// come from three levels (deployment, the customer such as an insurer or landlord, the case):
/// `ClaimPageOverrides` holds the two lower levels, where nil means "as the level above".
public struct ClaimPageSettings: Codable, Sendable, Equatable {
    public var smsCode = false
    public var recipients = ClaimLinkRecipients.contactPerson
    public var customerTypes = ClaimCustomerTypeChoice.all
    public var linkSent = ClaimLinkTrigger.manual
    public var daysAfterClose = 30
    /// "Vis kontrolpanel siden": the overview tab.
    public var overview = ClaimMoment.always
    /// "Vis nyheds titel": the news feed on the overview.
    public var newsFeed = ClaimMoment.atCreation
    public var feedFilter: Set<ClaimFeedEntry> = [.callHistory, .tasksAdded]
    /// "Vis plan": upcoming tasks on the overview.
    public var showPlan = true
    public var projectPlan = ClaimMoment.atCreation
    public var messages = ClaimMoment.atCreation
    public var messageDirection = ClaimMessageDirection.both
    public var documents = ClaimMoment.atCreation
    /// When the inspection report is shared automatically (never: only by hand).
    public var shareInspectionReport = ClaimMoment.atCreation
    public var shareSettlementReport = ClaimMoment.never
    public var budget = ClaimMoment.never
    public var showHandlerName = true
    /// Needs `showHandlerName` (the seed: the mobile is shown beside the name).
    public var showHandlerMobile = false
    public var showSupplierPhones = true
    /// "Kontakt for mere information": whom to contact when the code or the link does not work.
    public var moreInformation = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        // Every field may be missing in a stored value (an older version wrote fewer): the default.
        let defaults = ClaimPageSettings()
        let overrides = try ClaimPageOverrides(from: decoder)
        self = overrides.applied(to: defaults)
    }

    public func encode(to encoder: any Encoder) throws {
        try ClaimPageOverrides(everything: self).encode(to: encoder)
    }
}

/// One level's choices: nil fields follow the level above (the customer's follow the deployment's,
/// the case's follow the customer's).
public struct ClaimPageOverrides: Codable, Sendable, Equatable {
    public var smsCode: Bool?
    public var recipients: ClaimLinkRecipients?
    public var customerTypes: ClaimCustomerTypeChoice?
    public var linkSent: ClaimLinkTrigger?
    public var daysAfterClose: Int?
    public var overview: ClaimMoment?
    public var newsFeed: ClaimMoment?
    public var feedFilter: Set<ClaimFeedEntry>?
    public var showPlan: Bool?
    public var projectPlan: ClaimMoment?
    public var messages: ClaimMoment?
    public var messageDirection: ClaimMessageDirection?
    public var documents: ClaimMoment?
    public var shareInspectionReport: ClaimMoment?
    public var shareSettlementReport: ClaimMoment?
    public var budget: ClaimMoment?
    public var showHandlerName: Bool?
    public var showHandlerMobile: Bool?
    public var showSupplierPhones: Bool?
    public var moreInformation: String?

    public init() {}

    /// A level that sets every field (the deployment's own).
    public init(everything s: ClaimPageSettings) {
        smsCode = s.smsCode; recipients = s.recipients; customerTypes = s.customerTypes; linkSent = s.linkSent
        daysAfterClose = s.daysAfterClose; overview = s.overview; newsFeed = s.newsFeed; feedFilter = s.feedFilter
        showPlan = s.showPlan; projectPlan = s.projectPlan; messages = s.messages; messageDirection = s.messageDirection
        documents = s.documents; shareInspectionReport = s.shareInspectionReport
        shareSettlementReport = s.shareSettlementReport; budget = s.budget; showHandlerName = s.showHandlerName
        showHandlerMobile = s.showHandlerMobile; showSupplierPhones = s.showSupplierPhones
        moreInformation = s.moreInformation
    }

    /// `base` with this level's choices on top.
    public func applied(to base: ClaimPageSettings) -> ClaimPageSettings {
        var s = base
        if let smsCode { s.smsCode = smsCode }
        if let recipients { s.recipients = recipients }
        if let customerTypes { s.customerTypes = customerTypes }
        if let linkSent { s.linkSent = linkSent }
        if let daysAfterClose { s.daysAfterClose = daysAfterClose }
        if let overview { s.overview = overview }
        if let newsFeed { s.newsFeed = newsFeed }
        if let feedFilter { s.feedFilter = feedFilter }
        if let showPlan { s.showPlan = showPlan }
        if let projectPlan { s.projectPlan = projectPlan }
        if let messages { s.messages = messages }
        if let messageDirection { s.messageDirection = messageDirection }
        if let documents { s.documents = documents }
        if let shareInspectionReport { s.shareInspectionReport = shareInspectionReport }
        if let shareSettlementReport { s.shareSettlementReport = shareSettlementReport }
        if let budget { s.budget = budget }
        if let showHandlerName { s.showHandlerName = showHandlerName }
        if let showHandlerMobile { s.showHandlerMobile = showHandlerMobile }
        if let showSupplierPhones { s.showSupplierPhones = showSupplierPhones }
        if let moreInformation { s.moreInformation = moreInformation }
        return s
    }
}

/// The three levels together: the effective settings of one case, and for each setting the level
/// it comes from (the settings pages show both).
public struct ClaimPageLevels: Sendable, Equatable {
    public enum Level: String, Sendable {
        case deployment, customer, caseOverride = "case"
    }

    public var deployment: ClaimPageSettings
    public var customer: ClaimPageOverrides
    public var caseOverride: ClaimPageOverrides

    public init(deployment: ClaimPageSettings, customer: ClaimPageOverrides = .init(),
                caseOverride: ClaimPageOverrides = .init()) {
        self.deployment = deployment
        self.customer = customer
        self.caseOverride = caseOverride
    }

    public var effective: ClaimPageSettings {
        caseOverride.applied(to: customer.applied(to: deployment))
    }

    /// Where a setting's effective value comes from, e.g. `source(\.linkSent)`.
    public func source<Value>(_ field: KeyPath<ClaimPageOverrides, Value?>) -> Level {
        if caseOverride[keyPath: field] != nil { return .caseOverride }
        if customer[keyPath: field] != nil { return .customer }
        return .deployment
    }
}

/// How far a claim has come: which `ClaimMoment`s it has reached. Filled from `claim_details`
/// (`first_inspection_at`, `positive_decision_at`); a case without claim details has reached nothing.
public struct ClaimProgress: Sendable, Equatable {
    public var isClaim: Bool
    public var firstInspectionAt: Date?
    public var positiveDecisionAt: Date?

    public init(isClaim: Bool, firstInspectionAt: Date? = nil, positiveDecisionAt: Date? = nil) {
        self.isClaim = isClaim
        self.firstInspectionAt = firstInspectionAt
        self.positiveDecisionAt = positiveDecisionAt
    }

    public func hasReached(_ moment: ClaimMoment) -> Bool {
        switch moment {
        case .always: return true
        case .atCreation: return isClaim
        case .firstInspection: return firstInspectionAt != nil
        case .positiveDecision: return positiveDecisionAt != nil
        case .never: return false
        }
    }

    public func hasReached(_ trigger: ClaimLinkTrigger) -> Bool {
        switch trigger {
        case .atCreation: return isClaim
        case .firstInspection: return firstInspectionAt != nil
        case .positiveDecision: return positiveDecisionAt != nil
        case .manual: return false
        }
    }
}

/// Who is looking at a claim's customer page (A10): a person who opened their personal link, or a
/// staff member previewing the page as that person would see it. The page shows this one case and
/// nothing else.
public struct ClaimViewer: Sendable, Equatable {
    public var caseId: Int
    /// The personal link the visitor opened; nil in a staff preview.
    public var linkId: Int?
    /// The recipient's name, shown as the sender of what they write.
    public var name: String
    /// The recipient's e-mail, if known (shown with their messages, seed 002).
    public var email: String?
    /// The case contact the link was made for, if any.
    public var contactId: Int?
    /// A staff member previewing: nothing can be written from the page.
    public var previewingStaffId: Int?

    public init(caseId: Int, linkId: Int?, name: String, email: String? = nil, contactId: Int? = nil,
                previewingStaffId: Int? = nil) {
        self.caseId = caseId
        self.linkId = linkId
        self.name = name
        self.email = email
        self.contactId = contactId
        self.previewingStaffId = previewingStaffId
    }
}
