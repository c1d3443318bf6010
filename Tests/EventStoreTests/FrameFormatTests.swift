import EventModel
import Foundation
import Testing
@testable import EventStore

/// The frame format: version 2 frames with their block table, and stores
/// written in version 1 before it.
@Suite("Frame format")
struct FrameFormatTests {
    static let recordedAt: Int64 = 1_772_442_000_000_000  // 2026-03-02T09:00:00Z

    /// Event i of a batch: streams s-0 … s-2 in turn, data of `size` bytes.
    static func records(_ count: Int, size: Int = 300, firstVersion: Int = 1) -> [EventRecord] {
        (0..<count).map { i in
            let padding = String(repeating: "x", count: max(0, size - 20))
            return EventRecord(
                stream: "s-\(i % 3)", version: firstVersion + i / 3, id: "id-\(i)",
                type: "NoteAdded", occurredAt: recordedAt - Int64(i), recordedBefore: 0,
                data: Array(#"{"n":\#(i),"p":"\#(padding)"}"#.utf8), metadata: Array("{}".utf8))
        }
    }

    @Test("a version 2 header and its block table read back as written")
    func blockTableRoundTrip() throws {
        let records = Self.records(100)
        let (bytes, rawLength) = try FrameEncoder.encode(records: records, firstPosition: 41,
                                                         recordedAt: Self.recordedAt)
        let header = try bytes.withUnsafeBytes { try FrameHeader.decode($0) }
        #expect(header.version == 2)
        #expect(header.firstPosition == 41)
        #expect(header.count == 100)
        #expect(header.rawLength == rawLength)
        #expect(header.frameLength == bytes.count)
        #expect(header.recordedAt == Self.recordedAt)
        let blocks = try bytes.withUnsafeBytes { try header.blocks(header: $0) }
        #expect(blocks.count == header.blockCount)

        // Blocks must start after the event that brings a block to 4,096
        // bytes: about 331-byte records, so 13 to a block.
        var payload: [UInt8] = []
        var expected: [FrameBlock] = []
        var blockStart = 0
        for (i, record) in records.enumerated() {
            if payload.count == blockStart {
                expected.append(FrameBlock(firstEvent: i, offset: 0, rawOffset: blockStart))
            }
            record.encode(into: &payload)
            if payload.count - blockStart >= FrameEncoder.blockSize { blockStart = payload.count }
        }
        #expect(payload.count == rawLength)
        #expect(blocks.map(\.firstEvent) == expected.map(\.firstEvent))
        #expect(blocks.map(\.rawOffset) == expected.map(\.rawOffset))
        #expect(blocks.count == 8)  // 100 events of 330 bytes, 13 to a block
        #expect(blocks[0].offset == 0)
        #expect(zip(blocks, blocks.dropFirst()).allSatisfy { $0.offset < $1.offset })

        // The whole frame decompresses to the payload.
        let frame = try bytes.withUnsafeBytes { all in
            try SegmentLog.checkAndDecompress(
                header: header, headerBytes: UnsafeRawBufferPointer(rebasing: all[..<header.length]),
                compressed: UnsafeRawBufferPointer(rebasing: all[header.length...]),
                segment: 1, offset: 0, path: "test", decompressor: LZ4Decompressor())
        }
        #expect(frame.payload == payload)
    }

    @Test("a flipped byte in the block table is a checksum mismatch")
    func damagedTable() throws {
        var bytes = try FrameEncoder.encode(records: Self.records(40), firstPosition: 1,
                                            recordedAt: Self.recordedAt).bytes
        let header = try bytes.withUnsafeBytes { try FrameHeader.decode($0) }
        bytes[FrameHeader.size + 13] ^= 0x01  // block 1's first event
        #expect(throws: FrameFault.self) {
            _ = try bytes.withUnsafeBytes { try header.blocks(header: $0) }
        }
    }

    @Test("an event larger than a block gets a block of its own")
    func largeEvent() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        let big = String(repeating: "b", count: 70_000)
        try store.append([note("small 1"), note(big), note("small 2")], to: "s")
        try store.append([note("after")], to: "t")
        #expect(try store.read(stream: "s").map(\.text)
            == [#"{"text":"small 1"}"#, #"{"text":"\#(big)"}"#, #"{"text":"small 2"}"#])
        #expect(try store.read(stream: "s", from: 2, limit: 1).map(\.position) == [2])
        #expect(try store.readAll().count == 4)
        #expect(try store.verify().isOK)
    }

    @Test("a stream read returns each event from the blocks that hold it, backwards too")
    func streamReadAcrossBlocks() throws {
        let directory = TemporaryDirectory()
        let store = try openStore(directory)
        // 60 events of ~500 bytes in one batch: several blocks per frame.
        let batch = (0..<3).map { s in
            StreamAppend(stream: "s-\(s)", events: (0..<20).map { i in
                note("e\(i) " + String(repeating: "y", count: 480))
            })
        }
        try store.append(batch)
        try store.append([note("tail")], to: "s-1")
        let all = try store.readAll()
        for stream in ["s-0", "s-1", "s-2"] {
            let expected = all.filter { $0.stream == stream }
            #expect(try store.read(stream: stream) == expected)
            #expect(try store.read(stream: stream, backwards: true) == expected.reversed())
            #expect(try store.read(stream: stream, from: 7, limit: 5)
                    == Array(expected.dropFirst(6).prefix(5)))
        }
    }

    @Test("a damaged block fails the stream read that needs it, naming file and offset")
    func damagedBlock() throws {
        let directory = TemporaryDirectory()
        do {
            let store = try openStore(directory)
            let padding = String(repeating: "z", count: 300)
            try store.append((0..<40).map { note("event \($0) " + padding) }, to: "s")
        }
        let path = segmentPath(directory.store)
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let header = try bytes.withUnsafeBytes { try FrameHeader.decode($0) }
        let blocks = try bytes.withUnsafeBytes { try header.blocks(header: $0) }
        #expect(blocks.count >= 3)
        // Damage the middle of block 1: events before it still read.
        let middle = header.length + (blocks[1].offset + blocks[2].offset) / 2
        bytes[middle] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let store = try openStore(directory)
        let first = try store.read(stream: "s", limit: blocks[1].firstEvent)
        #expect(first.count == blocks[1].firstEvent)
        #expect {
            _ = try store.read(stream: "s", from: blocks[1].firstEvent + 1, limit: 1)
        } throws: { error in
            guard let corruption = error as? LogCorruption else { return false }
            return corruption.path == path && corruption.offset == 0
        }
        #expect(throws: LogCorruption.self) { _ = try store.readAll() }
        #expect(try store.verify().fault?.contains("byte offset 0") == true)
    }

    @Test("a store written in version 1 reads, verifies and takes version 2 frames after")
    func versionOneStore() throws {
        let directory = TemporaryDirectory()
        _ = try openStore(directory)
        // Two version 1 frames, as stores wrote them before version 2.
        let first = Self.records(30)
        let second = Self.records(6, firstVersion: 11).map { record -> EventRecord in
            var record = record
            record.id = "late-" + record.id
            return record
        }
        var segment = try FrameEncoder.encodeVersion1(records: first, firstPosition: 1,
                                                      recordedAt: Self.recordedAt)
        segment += try FrameEncoder.encodeVersion1(records: second, firstPosition: 31,
                                                   recordedAt: Self.recordedAt + 1)
        let header = try segment.withUnsafeBytes { try FrameHeader.decode($0) }
        #expect(header.version == 1)
        #expect(Array(segment[8..<12]) == Array("EVF1".utf8))
        try Data(segment).write(to: URL(fileURLWithPath: segmentPath(directory.store)))

        // Opening indexes the frames it finds past the index.
        let store = try openStore(directory)
        let old = try store.readAll()
        #expect(old.count == 36)
        #expect(old.map(\.id).prefix(2) == ["id-0", "id-1"])
        #expect(old.last?.id == "late-id-5")
        #expect(try store.version(of: "s-0") == 12)
        #expect(try store.read(stream: "s-1").map(\.position)
            == [2, 5, 8, 11, 14, 17, 20, 23, 26, 29, 32, 35])

        // New appends go after them as version 2 frames; both read together.
        let appended = try store.append([note("new")], to: "s-1")
        #expect(appended.positions == [37])
        #expect(try store.read(stream: "s-1", from: 12).map(\.position) == [35, 37])
        #expect(try store.read(stream: "s-1", backwards: true, limit: 3).map(\.position)
            == [37, 35, 32])
        #expect(try store.readAll().count == 37)
        #expect(try store.verify().isOK)
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: segmentPath(directory.store))))
        let tail = try bytes.withUnsafeBytes { all in
            try FrameHeader.decode(UnsafeRawBufferPointer(rebasing: all[segment.count...]))
        }
        #expect(tail.version == 2)
        #expect(tail.firstPosition == 37)
    }
}
