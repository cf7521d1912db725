import FluentKit

public enum CaseportMigrations {
    /// Every migration, in order. Never edit one that has shipped: add a new one.
    public static let all: [any Migration] = [
        M001_CreateRegister(),
        M002_CreateAccounts(),
        M003_CreateCatalogue(),
        M004_CreateCases(),
        M005_CreateSessions(),
        M006_CreateConversation(),
        M007_CreateCaseSearch(),
        M008_CreateCaseEvents(),
        M009_CreateAuditLog(),
        M010_CreateDelivery(),
        M011_MasterData(),
        M012_CreateInquiriesAndSettings(),
        M013_PostgresVisibleCaseIndexes(),
        M014_CreateChangeStamp(),
        M015_PostgresSearchWords(),
        M016_StaffLanguage(),
        M017_AccountTokenEmail(),
        M018_UnplacedMailFiles(),
        M019_TypedCaseEvents(),
        M020_CaseStaffReadAt(),
        M022_PortalUserRemoved(),
        M023_HandlerAssignment(),
        M021_CustomerMail(),
        M027_CreateAPITokens(),
        M029_Retention(),
        M024_MoneyRows(),
        M025_DashboardsAndMonthlyReports(),
        M028_WebhooksAndSSO(),
        M030_Languages(),
        M031_FileMessage(),
        M032_CaseListOrders(),
        M033_CreateChat(),
    ]
}
