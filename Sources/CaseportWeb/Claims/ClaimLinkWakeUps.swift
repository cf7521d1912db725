import NIOConcurrencyHelpers

/// Claims whose personal links may have just become due: staff changed the claim (registered it, set a
/// role, planned the first inspection, decided) on this server. The link job looks at them within a
/// second instead of at its next full round a minute later, so the customer's link comes while staff
/// are still on the page (issue 13, C7). Only a hint: the full round still finds every due link.
final class ClaimLinkWakeUps: Sendable {
    private let pending = NIOLockedValueBox<Set<Int>>([])

    func wake(caseNumber: Int) {
        pending.withLockedValue { _ = $0.insert(caseNumber) }
    }

    /// The case numbers woken since the last call.
    func take() -> Set<Int> {
        pending.withLockedValue { pending in
            defer { pending = [] }
            return pending
        }
    }
}
