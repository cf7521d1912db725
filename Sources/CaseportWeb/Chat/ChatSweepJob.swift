import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Foundation
import Vapor

/// Inside `serve`, every 30 seconds: a waiting chat nobody can answer becomes an inquiry (D2) —
/// when nobody is available any more, or it has waited `maxWait` since the customer's last message.
struct ChatSweepJob: Sendable {
    let application: Application
    var maxWait: TimeInterval = 600

    func run() async throws {
        let config = application.caseport.config
        let notifications = NotificationContext(translations: application.caseport.translations,
                                                publicBaseURL: config.publicURL ?? "http://127.0.0.1:8080",
                                                companyName: config.delivery.companyName)
        let context = OperationContext(database: application.db, notifications: notifications)
        let converted = try await ConvertUnansweredChats.run(maxWait: maxWait, in: context)
        if !converted.isEmpty {
            await application.chatBus.publish(.resync)
            await application.chatBus.publish(.queue)
        }
    }

    func runForever(interval: Duration = .seconds(30), logger: Logger) async {
        while !Task.isCancelled {
            do { try await run() } catch { logger.error("chat sweep: \(String(reflecting: error))") }
            try? await Task.sleep(for: interval)
        }
    }
}
