import CaseportCore
import Foundation
import MultipartKit
import Vapor

/// Reads a multipart/form-data upload as it streams in, writing each file part to a temporary file
/// so that large uploads never sit in memory. A file over the size limit, or a broken upload, stops
/// the request and every temporary file is removed: a half-uploaded file leaves nothing behind.
struct UploadReceiver {
    static let maximumFileBytes = 30 * 1024 * 1024
    static let maximumFiles = 10

    struct ReceivedFile {
        var fieldName: String
        var filename: String
        var contentType: String
        var temporaryPath: String
        var byteSize: Int
    }

    struct Received {
        var fields: [String: String] = [:]
        var files: [ReceivedFile] = []

        /// Removes the temporary files that were not adopted by storage.
        func discard() {
            for file in files { try? FileManager.default.removeItem(atPath: file.temporaryPath) }
        }
    }

    enum Failure: Error {
        case tooLarge
        case tooMany
        case malformed
    }

    let incomingDirectory: URL

    func receive(_ request: Request) async throws -> Received {
        guard let boundary = request.headers.contentType?.parameters["boundary"],
              request.headers.contentType?.subType == "form-data" else { throw Failure.malformed }
        try FileManager.default.createDirectory(at: incomingDirectory, withIntermediateDirectories: true)

        final class State {
            var received = Received()
            var headers: [String: String] = [:]
            var handle: FileHandle?
            var currentFile: ReceivedFile?
            var fieldBuffer: [UInt8] = []
            var failure: Failure?
        }
        let state = State()
        let parser = MultipartParser(boundary: boundary)
        let directory = incomingDirectory
        parser.onHeader = { name, value in state.headers[name.lowercased()] = value }
        parser.onBody = { buffer in
            guard state.failure == nil else { return }
            if state.currentFile == nil, state.fieldBuffer.isEmpty, state.handle == nil {
                let disposition = state.headers["content-disposition"] ?? ""
                let name = Self.parameter("name", in: disposition) ?? ""
                if let filename = Self.parameter("filename", in: disposition) {
                    guard state.received.files.count < Self.maximumFiles else { state.failure = .tooMany; return }
                    let path = directory.appendingPathComponent(UUID().uuidString).path
                    FileManager.default.createFile(atPath: path, contents: nil)
                    state.handle = FileHandle(forWritingAtPath: path)
                    state.currentFile = ReceivedFile(fieldName: name, filename: filename,
                                                     contentType: state.headers["content-type"] ?? "application/octet-stream",
                                                     temporaryPath: path, byteSize: 0)
                }
            }
            if var file = state.currentFile {
                file.byteSize += buffer.readableBytes
                state.currentFile = file
                if file.byteSize > Self.maximumFileBytes { state.failure = .tooLarge; return }
                if let bytes = buffer.readBytes(length: buffer.readableBytes) { state.handle?.write(Data(bytes)) }
            } else if state.fieldBuffer.count + buffer.readableBytes <= 1_000_000,
                      let bytes = buffer.readBytes(length: buffer.readableBytes) {
                state.fieldBuffer += bytes
            }
        }
        parser.onPartComplete = {
            let disposition = state.headers["content-disposition"] ?? ""
            if let file = state.currentFile {
                try? state.handle?.close()
                // An empty file input sends a part with no name and no bytes: ignore it.
                if file.byteSize > 0 || !file.filename.isEmpty {
                    state.received.files.append(file)
                } else {
                    try? FileManager.default.removeItem(atPath: file.temporaryPath)
                }
            } else if let name = Self.parameter("name", in: disposition), Self.parameter("filename", in: disposition) == nil {
                state.received.fields[name] = String(decoding: state.fieldBuffer, as: UTF8.self)
            } else if Self.parameter("filename", in: disposition) != nil {
                // A file part with no bytes at all never reached onBody: nothing to keep.
            }
            state.headers = [:]
            state.handle = nil
            state.currentFile = nil
            state.fieldBuffer = []
        }

        func cleanUp() {
            try? state.handle?.close()
            if let file = state.currentFile { try? FileManager.default.removeItem(atPath: file.temporaryPath) }
            state.received.discard()
        }
        do {
            for try await chunk in request.body {
                try parser.execute(chunk)
                if let failure = state.failure { throw failure }
            }
        } catch let failure as Failure {
            cleanUp()
            throw failure
        } catch {
            cleanUp()
            throw Failure.malformed
        }
        state.received.files.removeAll { $0.byteSize == 0 && $0.filename.isEmpty }
        return state.received
    }

    /// A parameter of a Content-Disposition header, e.g. `filename="Bild 1.jpg"` (RFC 7578).
    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let parts = piece.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            var value = parts[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.replacingOccurrences(of: "\\\"", with: "\"")
        }
        return nil
    }
}
