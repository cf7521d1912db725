import Vapor

/// The customer portal's routes (everything behind the portal session, signed in or not).
enum PortalRoute: String, AppRoute {
    case home
    case login, loginSubmit, logout, language
    case register, registerSubmit, registerConfirm
    case setPassword, setPasswordSubmit, forgotPassword, forgotPasswordSubmit
    case newCase, newCaseReview, newCaseEdit, newCaseConfirm
    case cases
    case `case`, caseMessage, caseUpload, caseFile, caseFileRemove, caseClassify, caseApprove, caseReject
    /// The confirmation page of removing a file (issue 12 point 7).
    case caseFileRemoveConfirm
    case files, file
    case users, newUser, newUserSubmit, user, userSubmit
    case inquiries, inquiry
    case newCaseReceipt
    case caseReport
    case removeUser, removeUserSubmit
    case caseMail
    case dashboard, dashboardCSV, reports, report
    case apiTokens, apiTokenCreate, apiTokenRevoke
    case caseActions, specifications, specification, specificationApprove, specificationReject

    static let realm = "portal"

    var method: HTTPMethod {
        switch self {
        case .loginSubmit, .logout, .language, .registerSubmit, .setPasswordSubmit, .forgotPasswordSubmit,
             .newCaseReview, .newCaseEdit, .newCaseConfirm,
             .caseMessage, .caseUpload, .caseFileRemove, .caseClassify, .caseApprove, .caseReject,
             .newUserSubmit, .userSubmit, .removeUserSubmit, .caseMail, .apiTokenCreate, .apiTokenRevoke,
             .specificationApprove, .specificationReject:
            .POST
        default:
            .GET
        }
    }

    /// The menu entry a page of this route belongs to (`Layout.section`).
    var section: String {
        switch self {
        case .newCase, .newCaseReview, .newCaseEdit, .newCaseConfirm, .newCaseReceipt: "new"
        case .cases, .case, .caseMessage, .caseUpload, .caseFile, .caseFileRemove, .caseFileRemoveConfirm, .caseClassify, .caseApprove, .caseReject,
             .caseReport, .caseActions: "cases"
        case .files, .file: "files"
        case .users, .newUser, .newUserSubmit, .user, .userSubmit, .removeUser, .removeUserSubmit, .caseMail: "users"
        case .apiTokens, .apiTokenCreate, .apiTokenRevoke: "users"
        case .inquiries, .inquiry: "inquiries"
        case .dashboard, .dashboardCSV: "dashboards"
        case .reports, .report: "reports"
        case .specifications, .specification, .specificationApprove, .specificationReject: "specifications"
        default: ""
        }
    }

    var pattern: String {
        switch self {
        case .home: "/"
        case .login, .loginSubmit: "/login"
        case .logout: "/logout"
        case .language: "/language"
        case .register, .registerSubmit: "/register"
        case .registerConfirm: "/register/confirm"
        case .setPassword, .setPasswordSubmit: "/password/set"
        case .forgotPassword, .forgotPasswordSubmit: "/password/forgot"
        case .newCase, .newCaseReview: "/cases/new"
        case .newCaseEdit: "/cases/new/edit"
        case .newCaseConfirm: "/cases/new/confirm"
        case .newCaseReceipt: "/cases/new/receipt"
        case .cases: "/cases"
        case .case: "/cases/:number"
        case .caseMessage: "/cases/:number/messages"
        case .caseUpload: "/cases/:number/files"
        case .caseFile: "/cases/:number/files/:fileId"
        case .caseFileRemove, .caseFileRemoveConfirm: "/cases/:number/files/:fileId/remove"
        case .caseClassify: "/cases/:number/classification"
        case .caseApprove: "/cases/:number/approve"
        case .caseReject: "/cases/:number/not-ok"
        case .files: "/files"
        case .file: "/files/:fileId"
        case .users: "/users"
        case .newUser, .newUserSubmit: "/users/new"
        case .user, .userSubmit: "/users/:userId"
        case .inquiries: "/inquiries"
        case .inquiry: "/inquiries/:id"
        case .caseReport: "/cases/:number/report.pdf"
        case .removeUser, .removeUserSubmit: "/users/:userId/remove"
        case .caseMail: "/account/case-mail"
        case .dashboard: "/dashboards/:kind"
        case .dashboardCSV: "/dashboards/:kind/data.csv"
        case .reports: "/reports"
        case .report: "/reports/:id"
        case .apiTokens, .apiTokenCreate: "/users/api-tokens"
        case .apiTokenRevoke: "/users/api-tokens/:tokenId/revoke"
        case .caseActions: "/cases/:number/actions"
        case .specifications: "/specifications"
        case .specification: "/specifications/:id"
        case .specificationApprove: "/specifications/:id/approve"
        case .specificationReject: "/specifications/:id/reject"
        }
    }
}
