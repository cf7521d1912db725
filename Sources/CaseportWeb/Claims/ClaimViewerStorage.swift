import CaseportCore
import Vapor

extension Request {
    private struct ClaimViewerKey: StorageKey { typealias Value = ClaimViewer }

    /// The visitor of a claim's customer page, set by the personal-link session middleware (or by the
    /// staff preview); nil for everybody else.
    var claimViewer: ClaimViewer? {
        get { storage[ClaimViewerKey.self] }
        set { storage[ClaimViewerKey.self] = newValue }
    }
}
