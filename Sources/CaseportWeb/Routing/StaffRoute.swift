import Vapor

/// The back office's routes, all under `/staff`.
enum StaffRoute: String, AppRoute {
    case login, loginSubmit, logout, setPassword, setPasswordSubmit
    case home
    case cases, casesMarkAllRead, `case`, caseEdit, caseStatus, caseMessage, caseNote, caseRead
    case outbox, outboxRetry, outboxUnplacedMessage
    case inbox, inboxBulk, inboxItem, inboxItemSubmit, inboxItemDelete
    case settings, settingsSubmit
    case catalogue, catalogueAdd, catalogueUpdate, catalogueDelete
    case caseTypes, caseTypeCreate, caseType, caseTypeUpdate, caseTypeDelete
    case caseTypeFieldAdd, caseTypeFieldUpdate, caseTypeFieldDelete
    case branding, brandingSubmit, brandingPreview, brandingLogo, brandingLogoDelete
    case customers, newCustomer, newCustomerSubmit, customer, customerSubmit
    case objects, newObject, newObjectSubmit, object, objectSubmit
    case contacts, newContact, newContactSubmit, contact, contactSubmit
    case contactCustomerAdd, contactCustomerRemove, contactObjectAdd, contactObjectRemove
    case portalUsers, newPortalUser, newPortalUserSubmit, portalUser, portalUserSubmit, portalUserUnlock
    case staffUsers, newStaffUser, newStaffUserSubmit, staffUser, staffUserSubmit
    case audit
    case importForm, importPreview, importRun
    case newCase, newCaseSubmit, caseUpload, caseContactAdd, caseContactRemove
    case file, fileRemove, fileRemoveSubmit, customerFiles, objectFiles
    case exportCSV
    case caseReport
    case dashboard, dashboardCSV, customerReports, customerReportsSubmit, customerReportMake, customerReport
    case apiTokens, apiTokenCreate, apiTokenRevoke
    case privacy, privacySubmit, privacyDryRun, privacyRun, privacyExport, legalHold, legalHoldRelease
    case priceList, articleAdd, article, articleUpdate, actionCodeAdd, actionCodeUpdate, actionColumns
    case caseMoney, caseRowBook, caseRowRemove, workOrderCreate, workOrder, workOrderUpdate, workOrderState
    case specifications, newSpecification, newSpecificationSubmit, specification, specificationWithdraw
    case webhooks, webhookCreate, webhook, webhookUpdate, webhookDelete, webhookRedeliver
    case ssoStart, ssoCallback

    static let realm = "staff"

    var method: HTTPMethod {
        switch self {
        case .login, .setPassword, .home, .cases, .case, .outbox, .outboxUnplacedMessage, .inbox, .inboxItem,
             .settings, .catalogue, .caseTypes, .caseType, .branding, .brandingPreview,
             .customers, .newCustomer, .customer, .objects, .newObject, .object, .contacts, .newContact, .contact,
             .portalUsers, .newPortalUser, .portalUser, .staffUsers, .newStaffUser, .staffUser, .audit, .importForm,
             .newCase, .file, .fileRemove, .exportCSV, .caseReport, .apiTokens, .privacy,
             .dashboard, .dashboardCSV, .customerReports, .customerReport,
             .priceList, .article, .caseMoney, .workOrder, .specifications, .newSpecification, .specification,
             .webhooks, .webhook, .ssoStart, .ssoCallback:
            .GET
        default:
            .POST
        }
    }

    /// The menu entry a page of this route belongs to (`Layout.section`).
    var section: String {
        switch self {
        case .cases, .casesMarkAllRead, .case, .caseEdit, .caseStatus, .caseMessage, .caseNote, .caseRead, .caseReport: "staff-cases"
        case .newCase, .newCaseSubmit, .caseUpload, .caseContactAdd, .caseContactRemove: "staff-cases"
        case .inbox, .inboxBulk, .inboxItem, .inboxItemSubmit, .inboxItemDelete: "inbox"
        case .settings, .settingsSubmit, .catalogue, .catalogueAdd, .catalogueUpdate, .catalogueDelete, .caseTypes, .caseTypeCreate,
             .caseType, .caseTypeUpdate, .caseTypeDelete, .caseTypeFieldAdd, .caseTypeFieldUpdate, .caseTypeFieldDelete,
             .branding, .brandingSubmit, .brandingPreview, .brandingLogo, .brandingLogoDelete: "settings"
        case .staffUsers, .newStaffUser, .newStaffUserSubmit, .staffUser, .staffUserSubmit: "staff-users"
        case .audit: "audit"
        case .outbox, .outboxRetry, .outboxUnplacedMessage: "outbox"
        case .apiTokens, .apiTokenCreate, .apiTokenRevoke: "staff-users"
        case .customers, .newCustomer, .newCustomerSubmit, .customer, .customerSubmit, .objects, .newObject, .newObjectSubmit,
             .object, .objectSubmit, .contacts, .newContact, .newContactSubmit, .contact, .contactSubmit, .contactCustomerAdd,
             .contactCustomerRemove, .contactObjectAdd, .contactObjectRemove, .portalUsers, .newPortalUser, .newPortalUserSubmit,
             .portalUser, .portalUserSubmit, .portalUserUnlock, .importForm, .importPreview, .importRun, .exportCSV: "master"
        case .customerFiles, .objectFiles: "master"
        case .customerReports, .customerReportsSubmit, .customerReportMake, .customerReport: "master"
        case .dashboard, .dashboardCSV: "staff-dashboards"
        case .privacy, .privacySubmit, .privacyDryRun, .privacyRun, .privacyExport, .legalHold, .legalHoldRelease: "settings"
        case .priceList, .articleAdd, .article, .articleUpdate, .actionCodeAdd, .actionCodeUpdate, .actionColumns: "price-list"
        case .caseMoney, .caseRowBook, .caseRowRemove, .workOrderCreate, .workOrder, .workOrderUpdate, .workOrderState: "staff-cases"
        case .specifications, .newSpecification, .newSpecificationSubmit, .specification, .specificationWithdraw: "specifications"
        case .webhooks, .webhookCreate, .webhook, .webhookUpdate, .webhookDelete, .webhookRedeliver: "settings"
        default: ""
        }
    }

    var pattern: String {
        switch self {
        case .login, .loginSubmit: "/staff/login"
        case .logout: "/staff/logout"
        case .setPassword, .setPasswordSubmit: "/staff/password/set"
        case .home: "/staff"
        case .cases: "/staff/cases"
        case .casesMarkAllRead: "/staff/cases/mark-all-read"
        case .case, .caseEdit: "/staff/cases/:number"
        case .caseStatus: "/staff/cases/:number/status"
        case .caseMessage: "/staff/cases/:number/messages"
        case .caseNote: "/staff/cases/:number/notes"
        case .caseRead: "/staff/cases/:number/read"
        case .outbox: "/staff/outbox"
        case .outboxRetry: "/staff/outbox/:id/retry"
        case .outboxUnplacedMessage: "/staff/outbox/unplaced/:id/message"
        case .inbox: "/staff/inbox"
        case .inboxBulk: "/staff/inbox/bulk"
        case .inboxItem, .inboxItemSubmit: "/staff/inbox/:id"
        case .inboxItemDelete: "/staff/inbox/:id/delete"
        case .settings, .settingsSubmit: "/staff/settings"
        case .catalogue: "/staff/settings/catalogue"
        case .catalogueAdd: "/staff/settings/catalogue/:kind"
        case .catalogueUpdate: "/staff/settings/catalogue/:kind/:id"
        case .catalogueDelete: "/staff/settings/catalogue/:kind/:id/delete"
        case .caseTypes, .caseTypeCreate: "/staff/settings/types"
        case .caseType, .caseTypeUpdate: "/staff/settings/types/:id"
        case .caseTypeDelete: "/staff/settings/types/:id/delete"
        case .caseTypeFieldAdd: "/staff/settings/types/:id/fields"
        case .caseTypeFieldUpdate: "/staff/settings/types/:id/fields/:field"
        case .caseTypeFieldDelete: "/staff/settings/types/:id/fields/:field/delete"
        case .branding, .brandingSubmit: "/staff/settings/branding"
        case .brandingPreview: "/staff/settings/branding/preview.css"
        case .brandingLogo: "/staff/settings/branding/logo"
        case .brandingLogoDelete: "/staff/settings/branding/logo/delete"
        case .customers: "/staff/customers"
        case .newCustomer, .newCustomerSubmit: "/staff/customers/new"
        case .customer, .customerSubmit: "/staff/customers/:id"
        case .objects: "/staff/objects"
        case .newObject, .newObjectSubmit: "/staff/objects/new"
        case .object, .objectSubmit: "/staff/objects/:id"
        case .contacts: "/staff/contacts"
        case .newContact, .newContactSubmit: "/staff/contacts/new"
        case .contact, .contactSubmit: "/staff/contacts/:id"
        case .contactCustomerAdd: "/staff/contacts/:id/customers"
        case .contactCustomerRemove: "/staff/contacts/:id/customers/:linked/remove"
        case .contactObjectAdd: "/staff/contacts/:id/objects"
        case .contactObjectRemove: "/staff/contacts/:id/objects/:linked/remove"
        case .portalUsers: "/staff/portal-users"
        case .newPortalUser, .newPortalUserSubmit: "/staff/portal-users/new"
        case .portalUser, .portalUserSubmit: "/staff/portal-users/:id"
        case .portalUserUnlock: "/staff/portal-users/:id/unlock"
        case .staffUsers: "/staff/staff-users"
        case .newStaffUser, .newStaffUserSubmit: "/staff/staff-users/new"
        case .staffUser, .staffUserSubmit: "/staff/staff-users/:staffId"
        case .audit: "/staff/audit"
        case .importForm, .importPreview: "/staff/import"
        case .importRun: "/staff/import/run"
        case .newCase, .newCaseSubmit: "/staff/cases/new"
        case .caseUpload: "/staff/cases/:number/files"
        case .caseContactAdd: "/staff/cases/:number/contacts"
        case .caseContactRemove: "/staff/cases/:number/contacts/:contact/remove"
        case .file: "/staff/files/:fileId"
        case .fileRemove, .fileRemoveSubmit: "/staff/files/:fileId/remove"
        case .customerFiles: "/staff/customers/:id/files"
        case .objectFiles: "/staff/objects/:id/files"
        case .exportCSV: "/staff/export/:kind"
        case .caseReport: "/staff/cases/:number/report.pdf"
        case .dashboard: "/staff/dashboards/:kind"
        case .dashboardCSV: "/staff/dashboards/:kind/data.csv"
        case .customerReports, .customerReportsSubmit: "/staff/customers/:id/reports"
        case .customerReportMake: "/staff/customers/:id/reports/make"
        case .customerReport: "/staff/customers/:id/reports/:reportId"
        case .apiTokens, .apiTokenCreate: "/staff/api-tokens"
        case .apiTokenRevoke: "/staff/api-tokens/:id/revoke"
        case .privacy, .privacySubmit: "/staff/settings/privacy"
        case .privacyDryRun: "/staff/settings/privacy/dry-run"
        case .privacyRun: "/staff/settings/privacy/run"
        case .privacyExport: "/staff/settings/privacy/export"
        case .legalHold: "/staff/legal-holds"
        case .legalHoldRelease: "/staff/legal-holds/:number/release"
        case .priceList: "/staff/price-list"
        case .articleAdd: "/staff/price-list/articles"
        case .article, .articleUpdate: "/staff/price-list/articles/:id"
        case .actionCodeAdd: "/staff/price-list/action-codes"
        case .actionCodeUpdate: "/staff/price-list/action-codes/:id"
        case .actionColumns: "/staff/price-list/columns"
        case .caseMoney: "/staff/cases/:number/money"
        case .caseRowBook: "/staff/cases/:number/rows"
        case .caseRowRemove: "/staff/cases/:number/rows/:rowId/remove"
        case .workOrderCreate: "/staff/cases/:number/work-orders"
        case .workOrder, .workOrderUpdate: "/staff/cases/:number/work-orders/:workOrderId"
        case .workOrderState: "/staff/cases/:number/work-orders/:workOrderId/state"
        case .specifications: "/staff/specifications"
        case .newSpecification, .newSpecificationSubmit: "/staff/specifications/new"
        case .specification: "/staff/specifications/:id"
        case .specificationWithdraw: "/staff/specifications/:id/withdraw"
        case .webhooks, .webhookCreate: "/staff/settings/webhooks"
        case .webhook, .webhookUpdate: "/staff/settings/webhooks/:id"
        case .webhookDelete: "/staff/settings/webhooks/:id/delete"
        case .webhookRedeliver: "/staff/settings/webhooks/:id/deliveries/:delivery/redeliver"
        case .ssoStart: "/staff/login/sso"
        case .ssoCallback: "/staff/login/sso/callback"
        }
    }
}
