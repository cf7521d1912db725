/// The three ways a customer logs in to the portal (SPEC A6).
public enum PortalLoginKind: String, Codable, Sendable, CaseIterable {
    /// A person's own account, optionally linked to a contact in the register.
    case contact
    /// The invoice customer itself: sees every case of that customer.
    case invoiceCustomer = "invoice_customer"
    /// An object (a property or installation): sees every case on that object.
    case object
}

/// Which of the customer's identifiers the login form's "organisation" field is matched against (A1).
public enum OrganisationLoginField: String, Codable, Sendable, CaseIterable {
    case name
    case shortCode = "short_code"
    case customerNumber = "customer_number"
    /// Any of the three: the form accepts whichever the customer types.
    case any
}
