/// Where uploaded files' bytes live. Features store and fetch by a generated key only; the local-disk
/// implementation is in the web layer, and an S3-compatible one can be added without touching them.
public protocol FileStorage: Sendable {
    /// Stores the file that is at `temporaryPath` under `key`, moving it.
    func adopt(temporaryPath: String, key: String) async throws
    func write(_ bytes: [UInt8], key: String) async throws
    /// A local path to read the file from.
    func path(for key: String) -> String
    func delete(key: String) async throws
    /// A fresh key: random, so no uploaded name ever reaches the file system.
    func newKey() -> String
}
