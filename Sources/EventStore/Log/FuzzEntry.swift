import EventModel
import Foundation

/// The log readers as the fuzzer (`tools/evstore-fuzz`) and the tests that
/// replay its findings drive them. Any bytes are valid input; an error is a
/// fine outcome, a crash or a broken invariant is a defect.
package enum LogFuzzEntry {
    /// Decodes `bytes` as a frame's decompressed payload: the first byte is
    /// the number of records, the rest the records. This reaches the record
    /// decoder directly, which the checksums keep the segment fuzzer from.
    package static func records(_ bytes: UnsafeRawBufferPointer) {
        guard let count = bytes.first else { return }
        let payload = UnsafeRawBufferPointer(rebasing: bytes.dropFirst())
        var cursor = ByteCursor(payload)
        var decoder = EventDecoder(streamSlots: 16, typeSlots: 16)
        for index in 0..<Int(count) {
            guard let event = try? decoder.decode(&cursor, position: index + 1,
                                                  frameRecordedAt: 0)
            else { return }
            precondition(event.version >= 1, "a version below 1 was decoded")
            precondition(cursor.offset <= payload.count, "the cursor ran past the payload")
        }
    }

    /// Puts `bytes` in a store as its only segment, with an empty index, and
    /// opens it: recovery indexes the whole frames and cuts the rest. Every
    /// event then read must have a gapless position and a dense version, and
    /// `verify` must pass on what recovery kept.
    /// - Parameter scratch: a directory the entry may use and clear.
    package static func segment(_ bytes: [UInt8], scratch: String) {
        let store = scratch + "/store"
        try? FileManager.default.removeItem(atPath: store)
        guard (try? EventStore(directory: store, create: true)) != nil else {
            fatalError("cannot create a store in \(scratch)")
        }
        let segment = SegmentLog(directory: store + "/log").path(ofSegment: 1)
        guard FileManager.default.createFile(atPath: segment, contents: Data(bytes))
        else { fatalError("cannot write \(segment)") }

        // Damaged input may well be refused; what is accepted must be sound.
        guard let reopened = try? EventStore(directory: store) else { return }
        var expected = 1
        var versions: [String: Int] = [:]
        do {
            try reopened.readAll(from: 1) { event in
                precondition(event.position == expected, "position \(event.position) "
                    + "where \(expected) was due")
                let version = versions[event.stream, default: 0] + 1
                precondition(event.version == version, "version \(event.version) of "
                    + "\(event.stream) where \(version) was due")
                versions[event.stream] = version
                expected += 1
                return true
            }
        } catch {
            fatalError("a store recovery accepted cannot be read: \(error)")
        }
        guard let report = try? reopened.verify(), report.isOK else {
            fatalError("verify fails on a store recovery accepted")
        }
    }
}
