import CaseportCore
import CaseportStore

/// The person an operation acts for. Each realm has its own type, so an operation states in its
/// signature who may call it; web handlers, jobs and (later) the API build these from what they know.
///
/// A portal user, with the access rule's links (A7): operations find cases only through it.
public struct PortalActor: Sendable {
    public var userId: Int
    public var name: String
    public var email: String?
    public var phone: String?
    /// A shared account asks "who are you?" on each form (A8).
    public var isShared: Bool
    public var viewer: PortalViewer
    public var visibility: CaseVisibility { CaseVisibility(for: viewer) }

    public init(userId: Int, name: String, email: String?, phone: String?, isShared: Bool, viewer: PortalViewer) {
        self.userId = userId
        self.name = name
        self.email = email
        self.phone = phone
        self.isShared = isShared
        self.viewer = viewer
    }

    public init(user: PortalUserRecord, viewer: PortalViewer) throws {
        self.init(userId: try user.requireID(), name: user.displayName, email: user.email, phone: user.phone,
                  isShared: user.isShared, viewer: viewer)
    }
}

/// A member of staff (D1).
public struct StaffActor: Sendable {
    public var staffId: Int
    public var name: String
    public var isAdmin: Bool

    public init(staffId: Int, name: String, isAdmin: Bool) {
        self.staffId = staffId
        self.name = name
        self.isAdmin = isAdmin
    }

    var caseActor: StaffCases.Actor { StaffCases.Actor(staffId: staffId, name: name) }
    var eventActor: EventActor { EventActor(staffId: staffId, name: name) }
}

/// A scheduled job or the mail gate, named as the customer should see it (usually the company).
public struct SystemActor: Sendable {
    public var name: String
    public init(name: String) { self.name = name }
}
