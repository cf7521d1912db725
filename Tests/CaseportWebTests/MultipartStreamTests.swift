@testable import CaseportWeb
import XCTest

final class MultipartStreamTests: XCTestCase {
    let boundary = "XyZ123"

    func body(_ parts: [(String, [UInt8])]) -> [UInt8] {
        var bytes: [UInt8] = Array("preamble to ignore\r\n".utf8)
        for (name, content) in parts {
            bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(name).bin\"\r\n\r\n".utf8)
            bytes += content + [13, 10]
        }
        bytes += Array("--\(boundary)--\r\n".utf8)
        return bytes
    }

    func parse(_ bytes: [UInt8], chunkSizes: [Int]) throws -> [(String, [UInt8])] {
        var stream = MultipartStream(boundary: boundary)
        var parts: [(String, [UInt8])] = []
        var offset = 0, turn = 0
        while offset < bytes.count {
            let size = chunkSizes[turn % chunkSizes.count]
            let chunk = Array(bytes[offset..<min(bytes.count, offset + size)])
            offset += size
            turn += 1
            try stream.feed(chunk) { event in
                switch event {
                case .partStart(let headers):
                    parts.append((UploadReceiver.parameter("name", in: headers["content-disposition"] ?? "") ?? "?", []))
                case .bodyBytes(let slice): parts[parts.count - 1].1 += slice
                case .partEnd: break
                }
            }
        }
        XCTAssertTrue(stream.isComplete)
        return parts
    }

    func testPartsSurviveAnyChunking() throws {
        // Content that contains near-delimiters and CRLFs must come out byte for byte.
        let tricky = Array("a\r\n--XyZ12 not quite\r\n-\r\n--".utf8) + (0..<2_000).map { UInt8($0 % 251) }
        let input = body([("one", tricky), ("two", []), ("three", Array(repeating: 0x2D, count: 700))])
        for sizes in [[1], [2, 3], [7], [64], [1_000_000], [5, 1, 13]] {
            let parts = try parse(input, chunkSizes: sizes)
            XCTAssertEqual(parts.map(\.0), ["one", "two", "three"], "chunks \(sizes)")
            XCTAssertEqual(parts[0].1, tricky, "chunks \(sizes)")
            XCTAssertEqual(parts[1].1, [], "chunks \(sizes)")
            XCTAssertEqual(parts[2].1.count, 700, "chunks \(sizes)")
        }
    }

    func testATruncatedBodyIsNotComplete() throws {
        let input = body([("one", Array("hello".utf8))])
        var stream = MultipartStream(boundary: boundary)
        try stream.feed(Array(input.prefix(input.count - 10))) { _ in }
        XCTAssertFalse(stream.isComplete)
    }

    func testGarbageAfterADelimiterIsRejected() {
        var stream = MultipartStream(boundary: boundary)
        XCTAssertThrowsError(try stream.feed(Array("--XyZ123xx".utf8)) { _ in })
    }
}
