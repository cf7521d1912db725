@testable import CaseportWeb
import NIOCore
import NIOPosix
import XCTest

/// serve's listening address as start-up reads it, and the check that stops start-up on a taken port.
final class ListenAddressTests: XCTestCase {
    func testReadsServeOptionsLikeVapor() {
        XCTAssertEqual(ListenAddress.from(arguments: ["serve"]), ListenAddress(host: "127.0.0.1", port: 8080))
        XCTAssertEqual(ListenAddress.from(arguments: ["serve", "-H", "0.0.0.0", "-p", "9000"]), ListenAddress(host: "0.0.0.0", port: 9000))
        XCTAssertEqual(ListenAddress.from(arguments: ["serve", "--bind", "10.0.0.5:8443"]), ListenAddress(host: "10.0.0.5", port: 8443))
        XCTAssertEqual(ListenAddress.from(arguments: ["serve", "-b", "[::1]:8081"]), ListenAddress(host: "::1", port: 8081))
        XCTAssertNil(ListenAddress.from(arguments: ["serve", "--unix-socket", "/tmp/caseport.sock"]))
    }

    func testATakenPortIsNamedInOneLineAndAFreeOneIsNot() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let holder = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = try XCTUnwrap(holder.localAddress?.port)
        let taken = await ListenAddress(host: "127.0.0.1", port: port).problemBinding(on: group)
        XCTAssertEqual(taken, "port \(port) on 127.0.0.1 is already in use (is another caseport running?); stop it or choose another with --port")
        try await holder.close().get()
        let free = await ListenAddress(host: "127.0.0.1", port: port).problemBinding(on: group)
        XCTAssertNil(free)
        try await group.shutdownGracefully()
    }
}
