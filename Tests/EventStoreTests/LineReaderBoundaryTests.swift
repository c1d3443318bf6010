import Foundation
import TestSupport
import Testing
@testable import EventStore

private let chunk = 1 << 20

/// The oracle: the file's bytes split in memory. Lines end at LF; one CR
/// before the LF is dropped; a final line without LF is kept as is; the
/// first line loses a UTF-8 byte order mark.
private func expectedLines(_ content: [UInt8]) -> [[UInt8]] {
    var lines: [[UInt8]] = []
    content.withUnsafeBufferPointer { buffer in
        var start = 0
        while start < buffer.count {
            var end = start
            while end < buffer.count && buffer[end] != 0x0A { end += 1 }
            var lineEnd = end
            if end < buffer.count && lineEnd > start && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            lines.append(Array(buffer[start..<lineEnd]))
            start = end + 1
        }
    }
    if let first = lines.first, first.starts(with: [0xEF, 0xBB, 0xBF]) {
        lines[0] = Array(first.dropFirst(3))
    }
    return lines
}

/// A line of `length` bytes of varied printable content (no CR, no LF).
private func lineBody(_ length: Int, _ rng: inout SplitMix64) -> [UInt8] {
    let fill = UInt8.random(in: 0x21...0x7E, using: &rng)
    var body = [UInt8](repeating: fill, count: length)
    // A few marks so a shifted copy would show.
    for _ in 0..<min(length, 8) { body[Int.random(in: 0..<length, using: &rng)] = UInt8.random(in: 0x21...0x7E, using: &rng) }
    if length > 0 { body[0] = UInt8(ascii: "<"); body[length - 1] = UInt8(ascii: ">") }
    return body
}

@Suite("LineReader at chunk boundaries, against the bytes split in memory")
struct LineReaderBoundaryTests {
    private func write(_ content: [UInt8], to path: String) throws {
        try Data(content).write(to: URL(fileURLWithPath: path))
    }

    private func gzip(_ path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-f", "-1", path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    /// Reads every line, keeping the slices themselves (not copies) until the
    /// end, so a later read that moved bytes under an earlier slice shows.
    private func readAll(_ path: String, maximumLineLength: Int = 64 << 20) throws -> [[UInt8]] {
        let reader = try LineReader(path: path, maximumLineLength: maximumLineLength)
        var slices: [ArraySlice<UInt8>] = []
        while let line = try reader.next() { slices.append(line) }
        #expect(reader.lineNumber == slices.count)
        return slices.map { Array($0) }
    }

    private func describeMismatch(_ got: [[UInt8]], _ expected: [[UInt8]]) -> String {
        if got.count != expected.count { return "line count \(got.count) vs \(expected.count)" }
        for index in got.indices where got[index] != expected[index] {
            return "line \(index + 1): length \(got[index].count) vs \(expected[index].count), first bytes \(got[index].prefix(8)) vs \(expected[index].prefix(8)), last \(got[index].suffix(4)) vs \(expected[index].suffix(4))"
        }
        return "equal"
    }

    /// Files whose line ends (LF, or CR LF split either way) fall at each
    /// offset around the first and second chunk boundary, with and without a
    /// BOM and a final newline.
    private func boundaryContents() -> [(String, [UInt8])] {
        var rng = SplitMix64(seed: 2026)
        var cases: [(String, [UInt8])] = []
        for delta in -3...3 {
            for crlf in [false, true] {
                for bom in [false, true] {
                    var content: [UInt8] = bom ? [0xEF, 0xBB, 0xBF] : []
                    // Short lines first, then one whose LF lands at chunk + delta.
                    for _ in 0..<Int.random(in: 0...5, using: &rng) {
                        content += lineBody(Int.random(in: 0...300, using: &rng), &rng)
                        content += crlf ? [0x0D, 0x0A] : [0x0A]
                    }
                    let target = chunk + delta - (crlf ? 1 : 0)
                    content += lineBody(max(0, target - content.count), &rng)
                    content += crlf ? [0x0D, 0x0A] : [0x0A]
                    // Then lines that cross the second read's end at varied places.
                    for _ in 0..<Int.random(in: 1...4, using: &rng) {
                        content += lineBody(Int.random(in: 0...(chunk / 2), using: &rng), &rng)
                        content += Bool.random(using: &rng) ? [0x0D, 0x0A] : [0x0A]
                    }
                    if Bool.random(using: &rng) { content += lineBody(Int.random(in: 1...50, using: &rng), &rng) }
                    cases.append(("delta \(delta) crlf \(crlf) bom \(bom)", content))
                }
            }
        }
        return cases
    }

    @Test("line ends around the 1 MiB chunk boundaries: plain and gzip")
    func boundaries() throws {
        let directory = TemporaryDirectory()
        for (index, (name, content)) in boundaryContents().enumerated() {
            let path = directory.path + "/b\(index).txt"
            try write(content, to: path)
            let expected = expectedLines(content)
            let got = try readAll(path)
            #expect(got == expected, "\(name): \(describeMismatch(got, expected))")
            if index % 4 == 0 {
                try gzip(path)
                let unzipped = try readAll(path + ".gz")
                #expect(unzipped == expected, "\(name) gzip: \(describeMismatch(unzipped, expected))")
            }
        }
    }

    @Test("random files: lines longer than a chunk, CR at the very end, empty lines, no final newline",
          arguments: [1, 2, 3])
    func randomFiles(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let directory = TemporaryDirectory()
        for round in 0..<4 {
            var content: [UInt8] = Bool.random(using: &rng) ? [0xEF, 0xBB, 0xBF] : []
            let lines = Int.random(in: 1...12, using: &rng)
            for _ in 0..<lines {
                let length: Int
                switch Int.random(in: 0..<6, using: &rng) {
                case 0: length = 0
                case 1: length = Int.random(in: chunk - 4...chunk + 4, using: &rng)
                case 2: length = Int.random(in: chunk...(chunk * 5 / 2), using: &rng)
                default: length = Int.random(in: 1...5_000, using: &rng)
                }
                content += lineBody(length, &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: content += [0x0D, 0x0A]
                case 1: content += [0x0D, 0x0D, 0x0A]
                case 2: content += [0x0D]  // a bare CR is text, not a line end
                default: content += [0x0A]
                }
            }
            if Bool.random(using: &rng) { content.append(0x0D) }  // CR as the last byte
            let path = directory.path + "/r\(seed)-\(round).txt"
            try write(content, to: path)
            let expected = expectedLines(content)
            let got = try readAll(path)
            #expect(got == expected, "seed \(seed) round \(round): \(describeMismatch(got, expected))")
            if round == 0 {
                try gzip(path)
                let unzipped = try readAll(path + ".gz")
                #expect(unzipped == expected, "seed \(seed) gzip: \(describeMismatch(unzipped, expected))")
            }
        }
    }

    @Test("small files: every mix of BOM, CR, LF and text up to a few bytes")
    func smallFiles() throws {
        let directory = TemporaryDirectory()
        let alphabet: [[UInt8]] = [[0x0A], [0x0D], [0x41], [0xEF, 0xBB, 0xBF], [0xEF, 0xBB], [0x0D, 0x0A]]
        var contents: [[UInt8]] = [[]]
        var frontier: [[UInt8]] = [[]]
        for _ in 0..<4 {
            frontier = frontier.flatMap { prefix in alphabet.map { prefix + $0 } }
            contents += frontier
        }
        for (index, content) in contents.enumerated() {
            let path = directory.path + "/s\(index).txt"
            try write(content, to: path)
            let expected = expectedLines(content)
            let got = try readAll(path)
            #expect(got == expected, "\(content): \(got) vs \(expected)")
        }
    }

    @Test("maximumLineLength: lines up to the limit read; a longer line is refused, naming its number",
          arguments: [1000, 70_000, 1 << 20, 1_500_000])
    func maximumLength(limit: Int) throws {
        var rng = SplitMix64(seed: UInt64(limit))
        let directory = TemporaryDirectory()
        for round in 0..<3 {
            var lengths = (0..<Int.random(in: 1...6, using: &rng)).map { _ in
                Int.random(in: 0...min(limit, 200_000), using: &rng)
            }
            lengths.append(limit)  // exactly the limit: fine
            let longAt = Int.random(in: 0...lengths.count, using: &rng)
            let overBy = [1, 2, 1_000, chunk / 2, chunk].randomElement(using: &rng)!
            lengths.insert(limit + overBy, at: longAt)
            var content: [UInt8] = []
            for length in lengths { content += lineBody(length, &rng) + [0x0A] }
            let path = directory.path + "/m\(limit)-\(round).txt"
            try write(content, to: path)
            let reader = try LineReader(path: path, maximumLineLength: limit)
            var read = 0
            var outcome = "no error"
            do {
                while let line = try reader.next() {
                    if line.count > limit {
                        outcome = "line \(read + 1) of \(line.count) bytes returned (limit \(limit))"
                        break
                    }
                    read += 1
                }
            } catch let error as LineTooLong {
                outcome = error.line == longAt + 1 && read == longAt ? "refused"
                    : "refused line \(error.line), after reading \(read), long line was \(longAt + 1)"
            }
            #expect(outcome == "refused", "limit \(limit) round \(round), over by \(overBy): \(outcome)")
        }
    }

    /// The weaker property the reader does keep (the check runs only while a
    /// line's end is not yet in the buffer): a line longer than the limit plus
    /// a chunk is refused, with its number, after every line before it.
    @Test("a line longer than the limit plus a chunk is refused, naming its number", arguments: [1000, 300_000])
    func farOverLimit(limit: Int) throws {
        var rng = SplitMix64(seed: UInt64(limit) + 1)
        let directory = TemporaryDirectory()
        for round in 0..<3 {
            var content: [UInt8] = []
            var before: [[UInt8]] = []
            for _ in 0..<Int.random(in: 0...5, using: &rng) {
                let line = lineBody(Int.random(in: 0...limit, using: &rng), &rng)
                before.append(line)
                content += line + (Bool.random(using: &rng) ? [0x0A] : [0x0D, 0x0A])
            }
            content += lineBody(limit + chunk + Int.random(in: 1...1000, using: &rng), &rng) + [0x0A]
            content += lineBody(10, &rng) + [0x0A]
            let path = directory.path + "/f\(limit)-\(round).txt"
            try write(content, to: path)
            let reader = try LineReader(path: path, maximumLineLength: limit)
            var read: [[UInt8]] = []
            do {
                while let line = try reader.next() { read.append(Array(line)) }
                Issue.record("limit \(limit) round \(round): no error")
            } catch let error as LineTooLong {
                #expect(error.line == before.count + 1)
                #expect(read == before)
            }
        }
    }
}

