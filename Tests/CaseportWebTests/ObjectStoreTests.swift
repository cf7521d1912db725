import CaseportCore
@testable import CaseportWeb
import Foundation
import XCTest

/// The object store (issue 17, several servers): the request signature checked against AWS's published
/// example, and the whole `FileStorage` contract run against a real S3-compatible server (SeaweedFS,
/// started by scripts/start-test-s3.sh; CI starts it, locally the test says how when it is missing).
final class ObjectStoreTests: XCTestCase {
    /// AWS's "GET Object" example for Signature Version 4 (Amazon S3 API reference, "Signature
    /// Calculations for the Authorization Header: Transferring Payload in a Single Chunk").
    func testSignatureMatchesAWSPublishedExample() throws {
        let signer = SigV4(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = try XCTUnwrap(calendar.date(from: DateComponents(year: 2013, month: 5, day: 24)))
        let headers = signer.sign(method: "GET", path: "/test.txt",
                                  headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")],
                                  payloadHash: SigV4.emptyPayloadHash, date: date)
        let authorization = try XCTUnwrap(headers.first { $0.0 == "authorization" }?.1)
        XCTAssertEqual(authorization, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        XCTAssertEqual(headers.first { $0.0 == "x-amz-date" }?.1, "20130524T000000Z")
    }

    func testEncodingKeepsOnlyUnreservedCharacters() {
        XCTAssertEqual(SigV4.encode("a b/ä~"), "a%20b%2F%C3%A4~")
        XCTAssertEqual(SigV4.encodePath("/bucket/ab cd"), "/bucket/ab%20cd")
        XCTAssertEqual(S3FileStorage.parseContentRange("bytes 100-199/5000")?.start, 100)
        XCTAssertEqual(S3FileStorage.parseContentRange("bytes 100-199/5000")?.size, 5000)
        XCTAssertNil(S3FileStorage.parseContentRange("bytes */5000"))
    }

    static func settingsFromEnvironment() throws -> S3Settings {
        let environment = ProcessInfo.processInfo.environment
        guard let endpoint = environment["CASEPORT_TEST_S3_ENDPOINT"].flatMap(URL.init(string:)),
              let bucket = environment["CASEPORT_TEST_S3_BUCKET"], let access = environment["CASEPORT_TEST_S3_ACCESS_KEY"],
              let secret = environment["CASEPORT_TEST_S3_SECRET_KEY"] else {
            throw XCTSkip("no object store: run `eval \"$(scripts/start-test-s3.sh)\"` first (CI does)")
        }
        return S3Settings(endpoint: endpoint, bucket: bucket, accessKey: access, secretKey: secret)
    }

    func testObjectStoreConforms() async throws {
        let settings = try Self.settingsFromEnvironment()
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("caseport-s3-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let storage = S3FileStorage(settings: settings, dataDirectory: data.path)
        let reachable = await storage.problemReaching()
        XCTAssertNil(reachable)
        try await FileStorageTests.checkConformance(storage)
        // Staged uploads leave nothing behind locally once stored.
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: storage.incomingDirectory.path)) ?? []
        XCTAssertEqual(leftovers, [])
    }

    func testWrongKeysAndAMissingBucketAreNamed() async throws {
        var settings = try Self.settingsFromEnvironment()
        let data = FileManager.default.temporaryDirectory.path
        settings.secretKey = "not-the-secret"
        let refused = await S3FileStorage(settings: settings, dataDirectory: data).problemReaching()
        XCTAssertEqual(refused, "object store: checking the bucket answered 403 (check CASEPORT_S3_ACCESS_KEY and CASEPORT_S3_SECRET_KEY)")
        settings = try Self.settingsFromEnvironment()
        settings.bucket = "no-such-bucket-\(Int.random(in: 1000...9999))"
        let missing = await S3FileStorage(settings: settings, dataDirectory: data).problemReaching()
        XCTAssertEqual(missing, "the object store has no bucket \"\(settings.bucket)\" (create it first)")
    }
}
