import Foundation
import Vapor

extension S3Settings {
    /// CASEPORT_S3_ENDPOINT turns the object store on (files shared by several servers); then the bucket
    /// and both keys are required, the region defaults to us-east-1 (what SeaweedFS and MinIO accept).
    static func from(_ environment: ConfigEnvironment) throws -> S3Settings? {
        guard let raw = environment.text("CASEPORT_S3_ENDPOINT") else { return nil }
        guard let endpoint = URL(string: raw), ["http", "https"].contains(endpoint.scheme ?? ""), endpoint.host != nil,
              endpoint.path.isEmpty || endpoint.path == "/", endpoint.query == nil, !raw.contains("@") else {
            throw ConfigEnvironment.problem("CASEPORT_S3_ENDPOINT", "must be an http(s) address without a path, such as http://127.0.0.1:8333", raw)
        }
        func required(_ name: String) throws -> String {
            guard let value = environment.text(name) else {
                throw AppConfig.Problem(description: "\(name) must be set when CASEPORT_S3_ENDPOINT is")
            }
            return value
        }
        let bucket = try required("CASEPORT_S3_BUCKET")
        guard bucket.count >= 3, bucket.count <= 63,
              bucket.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }) else {
            throw ConfigEnvironment.problem("CASEPORT_S3_BUCKET", "must be a bucket name (3-63 lower-case letters, digits, dots, hyphens)", bucket)
        }
        let region = environment.text("CASEPORT_S3_REGION") ?? "us-east-1"
        return S3Settings(endpoint: endpoint, bucket: bucket, region: region,
                          accessKey: try required("CASEPORT_S3_ACCESS_KEY"), secretKey: try required("CASEPORT_S3_SECRET_KEY"))
    }
}

/// `caseport serve` with an object store checks once, before it listens, that the bucket is there and
/// the keys are accepted: nil when fine (or when files are on local disk), else one line.
public func problemWithFileStorage(_ app: Application) async -> String? {
    guard let objectStore = app.caseport.storage as? S3FileStorage else { return nil }
    return await objectStore.problemReaching()
}
