import CaseportCore
import CaseportStore
import Fluent
import Leaf
import LeafKit
import Vapor

/// Sets up one Caseport application: database, views, middleware and routes.
/// The executable and the tests both start here, so what is tested is what runs.
public func configure(_ app: Application, config: AppConfig) async throws {
    if let directory = config.database.sqliteDirectory {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
    app.databases.use(try config.database.factory(sqliteDirectConnections: config.sqliteDirectConnections), as: config.database.databaseID)
    PreparedStatementNames.shared.isEnabled = config.postgresPreparedStatements
    app.migrations.add(CaseportMigrations.all)

    let translations = try Translations.load(
        from: URL(fileURLWithPath: app.directory.resourcesDirectory).appendingPathComponent("Locales"))
    let passwords = BcryptPasswords(cost: config.bcryptCost, threadPool: app.threadPool)
    let dummyHash = try await passwords.hash(Sessions.newToken())
    let storage: any FileStorage
    let incomingDirectory: URL
    if let settings = config.objectStore {
        let objectStore = S3FileStorage(settings: settings, dataDirectory: config.dataDirectory)
        (storage, incomingDirectory) = (objectStore, objectStore.incomingDirectory)
    } else {
        let local = LocalFileStorage(dataDirectory: config.dataDirectory)
        (storage, incomingDirectory) = (local, local.incomingDirectory)
    }
    app.caseport = AppServices(config: config, translations: translations,
                               pageStrings: PageStrings.all(translations), passwords: passwords,
                               dummyPasswordHash: dummyHash, storage: storage)
    // Upload parts a crash or a killed server left behind (issue 9).
    IncomingSweeper.sweep(incomingDirectory)

    // Templates are parsed once and kept; CASEPORT_TEMPLATE_RELOAD=1 re-reads them on every render
    // (for editing templates with the server running). Leaf's own provider turns its cache off in
    // the development environment — the default of `caseport serve` — which re-parsed every
    // template on every page view (a third of a list page's time), so the renderer is made here.
    let templateCache = DefaultLeafCache()
    templateCache.isEnabled = !config.templateReload
    app.leaf.cache = templateCache
    // Links in templates: #route("portal.case", number) (Routing/RouteTag.swift).
    app.leaf.tags["route"] = RouteTag()
    // A field's error line and its aria attributes: #fieldError(errors.x, "x-error"), #invalid(…).
    app.leaf.tags["fieldError"] = FieldErrorTag()
    app.leaf.tags["invalid"] = InvalidFieldTag()
    // A select's options from [SelectOption]: #options(list).
    app.leaf.tags["options"] = SelectOptionsTag()
    // The template files' source, made once (issue 17 point 5): unset, Leaf's `sources` getter built a new
    // one (a file reader with its lock) for every page rendered, 2 % of a node's CPU on the new-case pages
    // (`perf`). The same root directory as before.
    app.leaf.sources = app.leaf.sources
    app.views.use { app in
        var userInfo = app.leaf.userInfo
        userInfo["application"] = app
        return LeafRenderer(configuration: app.leaf.configuration, tags: app.leaf.tags, cache: app.leaf.cache,
                            sources: app.leaf.sources, eventLoop: app.eventLoopGroup.next(), userInfo: userInfo)
    }
    // Form posts are small; uploads (a later issue) set their own limit on their route.
    app.routes.defaultMaxBodySize = "1mb"

    app.middleware = Middlewares()
    // First, so a stopping server refuses new requests before any of them touches the database.
    app.middleware.use(InFlightMiddleware(requests: app.inFlightRequests))
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(ErrorPageMiddleware())
    app.middleware.use(RequestShapeMiddleware())
    app.middleware.use(PublicFilesMiddleware(publicDirectory: app.directory.publicDirectory))
    app.middleware.use(LanguageMiddleware())
    app.middleware.use(CSRFMiddleware())

    try routes(app)
    // Live chat (issue 15): its bus, limits and routes (Chat/).
    try configureChat(app)
    // Issue 13: the claims' personal links and customer-page settings (Claims/).
    try configureClaimAccess(app)
    app.asyncCommands.use(MigrateCommand(), as: "migrate")
    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(StaffCommands(), as: "staff")
    app.asyncCommands.use(MailgateCommand(), as: "mailgate")
    app.asyncCommands.use(TokenCommands(), as: "token")
    app.asyncCommands.use(RetentionCommands(), as: "retention")
}

func routes(_ app: Application) throws {
    try app.register(collection: HealthController())

    try app.register(collection: BrandingController())

    let portal = app.grouped(PortalSessionMiddleware(), PageFrameMiddleware())
    portal.on(PortalRoute.home) { request -> Response in
        request.redirect(to: request.portalPrincipal == nil ? PortalRoute.login : PortalRoute.cases)
    }
    try portal.register(collection: PortalLoginController())
    try portal.register(collection: LanguageController())
    try portal.register(collection: AccountLinksController())
    try portal.register(collection: PasswordResetController())
    try portal.register(collection: PrivacyPageController())
    let signedIn = portal.grouped(PortalGuard())
    try signedIn.register(collection: PortalNewCaseController())
    try signedIn.register(collection: PortalCaseListController())
    try signedIn.register(collection: PortalCaseController())
    try signedIn.register(collection: CaseReportController(realm: .portal))
    try signedIn.register(collection: PortalApprovalController())
    try signedIn.register(collection: PortalFilesController())
    try signedIn.register(collection: PortalUsersController())
    try signedIn.register(collection: PortalInquiriesController())
    try signedIn.register(collection: PortalCaseMailController())
    try signedIn.register(collection: DashboardController(realm: .portal))
    try signedIn.register(collection: PortalMonthlyReportsController())
    try signedIn.register(collection: PortalAPITokensController())
    // Issue 14: a case's "Actions" (B8) and invoice specifications (B10).
    try signedIn.register(collection: PortalMoneyController())

    let staff = app.grouped(StaffSessionMiddleware(), PageFrameMiddleware())
    try staff.register(collection: StaffLoginController())
    try staff.register(collection: StaffPasswordController())
    try staff.register(collection: StaffSSOController())
    try staff.grouped(StaffGuard()).register(collection: StaffHomeController())
    try staff.grouped(StaffGuard()).register(collection: StaffCasesController())
    try staff.grouped(StaffGuard()).register(collection: StaffClaimsController())
    try staff.grouped(StaffGuard()).register(collection: StaffNewCaseController())
    try staff.grouped(StaffGuard()).register(collection: StaffFilesController())
    try staff.grouped(StaffGuard()).register(collection: StaffClaimDocumentsController())
    try staff.grouped(StaffGuard()).register(collection: CaseReportController(realm: .staff))
    try staff.grouped(StaffGuard()).register(collection: DashboardController(realm: .staff))
    try staff.grouped(StaffGuard()).register(collection: StaffMonthlyReportsController())
    try staff.grouped(StaffGuard(), StaffAdminGuard()).register(collection: StaffOutboxController())
    try staff.grouped(StaffGuard()).register(collection: StaffInboxController())
    // Settings (D5) and branding (C8): administrators only.
    let settings = staff.grouped(StaffGuard(), StaffAdminGuard())
    try settings.register(collection: StaffSettingsController())
    try settings.register(collection: StaffCatalogueSettingsController())
    try settings.register(collection: StaffCaseTypesController())
    try settings.register(collection: StaffBrandingController())
    try settings.register(collection: StaffWebhooksController())
    // Master data (D6): every staff member; imports, staff accounts and the audit log: admins only.
    try staff.grouped(StaffGuard()).register(collection: MasterDataController())
    let staffAdmin = staff.grouped(StaffGuard(), StaffAdminGuard())
    try staffAdmin.register(collection: StaffUsersController())
    try staffAdmin.register(collection: StaffAuditController())
    try staffAdmin.register(collection: ImportController())
    try staffAdmin.register(collection: MasterDataExportController())
    try staffAdmin.register(collection: StaffAPITokensController())

    // The JSON API (issue 16): bearer tokens, routes generated from its OpenAPI document.
    app.apiRateLimiter = APIRateLimiter(perMinute: app.caseport.config.apiRatePerMinute)
    try APIRoutes.register(app)
    // Personal data (E3): the policy, runs and export for admins; legal holds for every staff member.
    try staffAdmin.register(collection: StaffPrivacyController())
    try staff.grouped(StaffGuard()).register(collection: StaffLegalHoldController())
    // Issue 14: the price list is the administrators'; rows, work orders and specifications every staff member's.
    try staffAdmin.register(collection: StaffPriceListController())
    try staff.grouped(StaffGuard()).register(collection: StaffMoneyController())
    try staff.grouped(StaffGuard()).register(collection: StaffSpecificationsController())
    // Issue 13: the claim's customer page for the visitor whose personal-link session
    // `ClaimViewerMiddleware` turns into `request.claimViewer`, and its staff preview.
    let claimPage = app.grouped(PageFrameMiddleware(), ClaimViewerMiddleware())
    try claimPage.register(collection: ClaimPageController())
    try staff.grouped(StaffGuard()).register(collection: ClaimPreviewController())
}

/// Migrates the database and applies its per-file settings. Run before serving and by `caseport migrate`.
public func prepareDatabase(_ app: Application) async throws {
    try await DatabasePreparation.prepare(app.db)
    try await app.autoMigrate()
    // SQLite keeps one connection per event loop; give each its settings (no-op on PostgreSQL).
    for eventLoop in app.eventLoopGroup.makeIterator() {
        if let database = app.databases.database(logger: app.logger, on: eventLoop) {
            try await DatabasePreparation.tune(database)
        }
    }
}
