/// Hashes and checks passwords. Declared here so the rules and the demo seeder need no web framework;
/// the web layer supplies bcrypt.
public protocol PasswordHashing: Sendable {
    func hash(_ password: String) async throws -> String
    func verify(_ password: String, against hash: String) async throws -> Bool
}
