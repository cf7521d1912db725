import CaseportCore
import XCTest

/// Issue 9, point 6: which peer's X-Forwarded-For counts, and which Host may build a link.
final class ProxyAndHostTests: XCTestCase {
    func testRangesMatchTheirAddressesOnly() throws {
        let ten = try XCTUnwrap(IPAddressRange("10.0.0.0/8"))
        XCTAssertTrue(ten.contains("10.1.2.3"))
        XCTAssertTrue(ten.contains("::ffff:10.1.2.3"), "an IPv4 peer seen as IPv4-mapped IPv6")
        XCTAssertFalse(ten.contains("11.0.0.1"))
        XCTAssertFalse(ten.contains("not an address"))
        let one = try XCTUnwrap(IPAddressRange("192.168.1.5"))
        XCTAssertTrue(one.contains("192.168.1.5"))
        XCTAssertFalse(one.contains("192.168.1.6"))
        let six = try XCTUnwrap(IPAddressRange("fd00::/8"))
        XCTAssertTrue(six.contains("fd12::1"))
        XCTAssertFalse(six.contains("fe80::1"))
        XCTAssertTrue(try XCTUnwrap(IPAddressRange("10.0.0.0/9")).contains("10.127.0.1"))
        XCTAssertFalse(try XCTUnwrap(IPAddressRange("10.0.0.0/9")).contains("10.128.0.1"))
        for bad in ["", "10.0.0.0/33", "10.0.0/8", "host.example", "::1/129", "10.0.0.0/-1", "10.0.0.0/x"] {
            XCTAssertNil(IPAddressRange(bad), bad)
        }
    }

    func testTheClientIsThePeerUnlessThePeerIsOurProxy() throws {
        let proxies = [try XCTUnwrap(IPAddressRange("10.0.0.0/8"))]
        // A client that writes the header itself is not believed.
        XCTAssertEqual(IPAddressRange.client(peer: "203.0.113.9", forwardedFor: ["1.2.3.4"], trusted: proxies), "203.0.113.9")
        XCTAssertEqual(IPAddressRange.client(peer: "203.0.113.9", forwardedFor: ["1.2.3.4"], trusted: []), "203.0.113.9")
        // Through our proxy: the hop it appended; what the client wrote further left is ignored.
        XCTAssertEqual(IPAddressRange.client(peer: "10.0.0.2", forwardedFor: ["1.2.3.4, 198.51.100.7"], trusted: proxies),
                       "198.51.100.7")
        // Two of our proxies in a row.
        XCTAssertEqual(IPAddressRange.client(peer: "10.0.0.2", forwardedFor: ["198.51.100.7, 10.0.0.3"], trusted: proxies),
                       "198.51.100.7")
        // Garbage in the header stops the walk at the last good hop.
        XCTAssertEqual(IPAddressRange.client(peer: "10.0.0.2", forwardedFor: ["evil\r\nX: y"], trusted: proxies), "10.0.0.2")
        XCTAssertNil(IPAddressRange.client(peer: nil, forwardedFor: ["1.2.3.4"], trusted: proxies))
    }

    func testLoopbackHosts() {
        for host in ["127.0.0.1:8080", "localhost", "LOCALHOST:80", "[::1]:8080", "127.1.2.3", "[::1]"] {
            XCTAssertTrue(LoopbackHost.isLoopback(hostAndPort: host), host)
        }
        for host in ["evil.example", "evil.example:8080", "127.0.0.1.evil.example", "localhost.evil.example",
                     "127.0.0.1:8080@evil.example", "127.0.0.1:80/x", "[::1]evil", "10.0.0.1:8080", "", "127.0.0.1:"] {
            XCTAssertFalse(LoopbackHost.isLoopback(hostAndPort: host), host)
        }
    }
}
