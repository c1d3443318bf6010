import EventModel
import Foundation
import Testing
@testable import EventStore

/// Copies a closed store so that a test can replay a crash on the copy.
func copyStore(_ from: String, to: String) throws {
    try FileManager.default.copyItem(atPath: from, toPath: to)
}

func segmentPath(_ store: String, first: Int = 1) -> String {
    SegmentLog(directory: store + "/log").path(ofSegment: first)
}

@Suite("Recovery after a crash")
struct RecoveryTests {
    /// Builds a store with two acknowledged batches and returns, from a twin
    /// store, the bytes of the third batch's frame as a crash would have
    /// written it before indexing.
    private func storeWithUnindexedThirdFrame(_ directory: TemporaryDirectory) throws -> [UInt8] {
        let clock = TestClock()
        let twin = directory.path + "/twin"
        do {
            let store = try EventStore(directory: directory.store,
                                       options: makeOptions(clock: clock), create: true)
            try store.append([note("a1"), note("a2")], to: "a")
            try store.append([note("b1")], to: "b")
        }
        try copyStore(directory.store, to: twin)
        let before = try FileSystem.fileSize(segmentPath(twin))
        do {
            let store = try EventStore(directory: twin, options: makeOptions(clock: clock))
            try store.append([note("a3"), note("a4")], to: "a")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: segmentPath(twin)))
        return Array(data[before...])
    }

    private func appendBytes(_ bytes: [UInt8], to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: bytes)
        try handle.close()
    }

    @Test("a torn frame at the tail is cut off and appending continues")
    func tornTail() throws {
        let directory = TemporaryDirectory()
        let frame = try storeWithUnindexedThirdFrame(directory)
        let segment = segmentPath(directory.store)
        let acknowledgedSize = try FileSystem.fileSize(segment)
        try appendBytes(Array(frame[..<(frame.count / 2)]), to: segment)

        let store = try openStore(directory)
        #expect(try FileSystem.fileSize(segment) == acknowledgedSize)
        #expect(try store.readAll().map(\.text)
            == [#"{"text":"a1"}"#, #"{"text":"a2"}"#, #"{"text":"b1"}"#])

        let next = try store.append([note("a3")], to: "a")
        #expect(next.positions == [4])
        #expect(next.streamVersion == 3)
        #expect(try store.readAll().map(\.position) == [1, 2, 3, 4])
        #expect(try store.verify().isOK)
    }

    @Test("a whole frame missing from the index is indexed on open")
    func unindexedFrame() throws {
        let directory = TemporaryDirectory()
        let frame = try storeWithUnindexedThirdFrame(directory)
        try appendBytes(frame, to: segmentPath(directory.store))

        let store = try openStore(directory)
        let events = try store.readAll()
        #expect(events.map(\.position) == [1, 2, 3, 4, 5])
        #expect(events.map(\.text).suffix(2) == [#"{"text":"a3"}"#, #"{"text":"a4"}"#])
        #expect(try store.version(of: "a") == 4)
        #expect(try store.verify().isOK)
    }

    @Test("an index that points past the log is an error that says to reindex")
    func indexAheadOfLog() throws {
        let directory = TemporaryDirectory()
        do {
            let store = try openStore(directory)
            try store.append([note("1")], to: "s")
            try store.append([note("2")], to: "s")
        }
        let segment = segmentPath(directory.store)
        let size = try FileSystem.fileSize(segment)
        #expect(truncate(segment, off_t(size - 5)) == 0)
        #expect {
            _ = try openStore(directory)
        } throws: { error in
            guard case StoreError.indexAheadOfLog = error else { return false }
            return "\(error)".contains("evstore reindex")
        }
    }

    @Test("segments roll at the configured size and are named by their first position")
    func segmentsRoll() throws {
        let directory = TemporaryDirectory()
        // A one-byte limit seals every segment after its first frame.
        let store = try openStore(directory, segmentSize: 1)
        try store.append([note("1"), note("2")], to: "s")
        try store.append([note("3")], to: "s")
        try store.append([note("4"), note("5"), note("6")], to: "s")
        try store.append([note("7")], to: "s")
        let names = try FileSystem.listDirectory(directory.store + "/log")
        #expect(names == ["00000000000000000001.seg", "00000000000000000003.seg",
                          "00000000000000000004.seg", "00000000000000000007.seg"])
        #expect(try store.readAll().map(\.position) == Array(1...7))
        #expect(try store.readAll(from: 5).map(\.position) == [5, 6, 7])
        #expect(try store.verify().isOK)
    }
}

@Suite("Verify and reindex")
struct VerifyTests {
    @Test("a flipped byte is found by verify with the segment and the frame's offset")
    func flippedByte() throws {
        let directory = TemporaryDirectory()
        var secondFrameOffset = 0
        do {
            let store = try openStore(directory)
            try store.append([note("one")], to: "s")
            secondFrameOffset = try FileSystem.fileSize(segmentPath(directory.store))
            try store.append([note("two"), note("three")], to: "s")
            try store.append([note("four")], to: "s")
            #expect(try store.verify().isOK)
        }
        let path = segmentPath(directory.store)
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[secondFrameOffset + 60] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let store = try EventStore(directory: directory.store, options: makeOptions())
        let report = try store.verify()
        let fault = try #require(report.fault)
        #expect(fault.hasPrefix("\(path) at byte offset \(secondFrameOffset): "))
        #expect(fault.contains("checksum mismatch"))
        #expect(report.frames == 1)
        // A read through the damaged frame fails loudly instead of inventing events.
        #expect(throws: LogCorruption.self) { _ = try store.readAll() }
        #expect(throws: LogCorruption.self) { _ = try store.read(stream: "s", from: 2) }
        #expect(try store.read(stream: "s", limit: 1).map(\.text) == [#"{"text":"one"}"#])
    }

    @Test("verify reports bytes and segments after the index's last frame")
    func pastTheHead() throws {
        let directory = TemporaryDirectory()
        var end = 0
        do {
            let store = try openStore(directory)
            try store.append([note("1")], to: "s")
            end = try FileSystem.fileSize(segmentPath(directory.store))
        }
        let path = segmentPath(directory.store)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(repeating: 0xAB, count: 100))
        try handle.close()
        var options = makeOptions()
        options.readOnly = true
        let reader = try EventStore(directory: directory.store, options: options)
        let fault = try #require(try reader.verify().fault)
        #expect(fault.hasPrefix("\(path) at byte offset \(end): 100 bytes after the last "
            + "indexed frame"))

        // A writable open cuts the torn bytes; a stray segment is still damage.
        _ = try openStore(directory)
        #expect(try reader.verify().isOK)
        try FileManager.default.copyItem(atPath: path,
                                         toPath: segmentPath(directory.store, first: 2))
        let stray = try #require(try reader.verify().fault)
        #expect(stray.contains("00000000000000000002.seg: a segment after the last one"))
    }

    @Test("reindex rebuilds a deleted index from the log")
    func reindex() throws {
        let directory = TemporaryDirectory()
        do {
            let store = try openStore(directory, segmentSize: 150)
            try store.append([note("1"), note("2")], to: "a")
            try store.append([note("3")], to: "b")
            try store.append([note("4")], to: "a")
        }
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: directory.store + "/index.sqlite" + suffix)
        }
        #expect(try EventStore.reindex(directory: directory.store) == 4)
        let store = try EventStore(directory: directory.store, options: makeOptions())
        #expect(try store.read(stream: "a").map(\.position) == [1, 2, 4])
        #expect(try store.version(of: "b") == 1)
        #expect(try store.verify().isOK)
        let mode = try FileManager.default
            .attributesOfItem(atPath: directory.store + "/index.sqlite")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("store directories are 0700 and files 0600")
    func permissions() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        try store.append([note("1")], to: "s")
        func mode(_ path: String) throws -> Int? {
            try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        }
        #expect(try mode(directory.store) == 0o700)
        #expect(try mode(directory.store + "/log") == 0o700)
        #expect(try mode(segmentPath(directory.store)) == 0o600)
        #expect(try mode(directory.store + "/index.sqlite") == 0o600)
        #expect(try mode(directory.store + "/writer.lock") == 0o600)
    }
}
