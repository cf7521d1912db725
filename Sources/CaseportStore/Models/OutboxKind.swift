/// What an outbox row is (E1): every notification the product sends, one case each. The raw values are
/// what the `outbox.kind` column has always held; the staff outbox page names each kind with the locale
/// key `outbox_kind_<raw value>`.
public enum OutboxKind: String, CaseIterable, Sendable {
    case messageCopy = "message_copy"
    case caseCopy = "case_copy"
    case loginDetails = "login_details"
    case staffLoginDetails = "staff_login_details"
    case registration
    case passwordReset = "password_reset"
    case smsCompanyWrote = "sms_company_wrote"
    case handlerCustomerMessage = "handler_customer_message"
    case handlerCustomerUpload = "handler_customer_upload"
    case approvalReminder = "approval_reminder"
    case inquiryCopy = "inquiry_copy"
    case inquiryAccepted = "inquiry_accepted"
    case supplierAssigned = "supplier_assigned"
    /// Issue 11: the customer hears about their case (`Notifications.customerCaseNews`).
    case customerCaseMessage = "customer_case_message"
    case customerCaseStatus = "customer_case_status"
    case customerCaseCreated = "customer_case_created"
    /// B12: a customer's monthly report is ready (`MonthlyReportRound`).
    case monthlyReport = "monthly_report"
    /// Issue 14 (B10): an invoice specification waits for the customer's approval; its reminder.
    case specificationWaiting = "specification_waiting"
    case specificationReminder = "specification_reminder"
    /// Issue 16: a webhook subscription was switched off after repeated failure (to each admin).
    case webhookDisabled = "webhook_disabled"
    /// Live chat (B13): the transcript, to the address the chat was started with.
    case chatTranscript = "chat_transcript"
    /// Issue 13 (A10): a personal link to a claim's customer page (e-mail and SMS), and its security code (SMS).
    case claimLink = "claim_link"
    case claimLinkCode = "claim_link_code"
    /// Rows the outbox benchmark queues.
    case benchmark = "bench"
}

/// How an outbox row travels.
public enum OutboxChannel: String, CaseIterable, Sendable {
    case email
    case sms
}
