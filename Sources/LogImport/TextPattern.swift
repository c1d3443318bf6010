// Text with `{name}` placeholders, used both ways round: a template is filled
// in (`declaration-{case_number}`), a pattern is matched against a value and
// captures what its placeholders cover (`Declaration APPROVED by {role}`).
//
// There is no regex engine on purpose: mapping files stay readable, and a
// placeholder is simply "some non-empty text". `{{` and `}}` stand for
// literal braces. Matching works on UTF-8 bytes, which is exact and safe:
// a literal always starts on a character boundary, so a capture never ends
// inside a character.

/// Why a pattern or template text is malformed.
struct PatternSyntaxError: Error, Equatable {
    let reason: String
}

/// A text split into literal pieces and named placeholders.
struct TextPattern: Sendable, Equatable, CustomStringConvertible {
    enum Piece: Sendable, Equatable {
        case literal([UInt8])
        case placeholder(String)
    }

    /// The text as written in the mapping.
    let text: String
    let pieces: [Piece]

    /// Parses `text`.
    /// - Throws: `PatternSyntaxError` for an unclosed `{`, a lone `}`, an
    ///   empty name, or a name containing `{`.
    init(_ text: String) throws(PatternSyntaxError) {
        self.text = text
        self.pieces = try Self.split(Array(text.utf8))
    }

    var description: String { text }

    /// The placeholder names, in order of appearance.
    var placeholders: [String] {
        pieces.compactMap { piece in
            if case .placeholder(let name) = piece { return name }
            return nil
        }
    }

    /// Whether the text holds no placeholder (it is then a plain constant).
    var isConstant: Bool { placeholders.isEmpty }

    /// Checks what matching needs: no name twice, and text between any two
    /// placeholders (`{a}{b}` could split its value anywhere).
    func checkMatchable() throws(PatternSyntaxError) {
        var seen: Set<String> = []
        for name in placeholders where !seen.insert(name).inserted {
            throw PatternSyntaxError(reason: "placeholder {\(name)} appears twice")
        }
        for (first, second) in zip(pieces, pieces.dropFirst()) {
            if case .placeholder = first, case .placeholder = second {
                throw PatternSyntaxError(
                    reason: "two placeholders need literal text between them")
            }
        }
    }

    // MARK: - Matching

    /// Matches the whole of `value` and returns what each placeholder covered,
    /// or nil when it does not match. A placeholder covers at least one byte;
    /// when several splits are possible the earliest end wins, except that a
    /// placeholder at the end takes the rest.
    /// - Complexity: O(n·k) for n bytes and k placeholders in practice.
    func match(_ value: String) -> [String: String]? {
        let bytes = Array(value.utf8)
        var captures: [String: String] = [:]
        guard match(bytes, piece: 0, at: 0, captures: &captures) else { return nil }
        return captures
    }

    private func match(_ bytes: [UInt8], piece index: Int, at offset: Int,
                       captures: inout [String: String]) -> Bool {
        guard index < pieces.count else { return offset == bytes.count }
        switch pieces[index] {
        case .literal(let literal):
            guard Self.hasLiteral(literal, in: bytes, at: offset) else { return false }
            return match(bytes, piece: index + 1, at: offset + literal.count,
                         captures: &captures)
        case .placeholder(let name):
            guard index + 1 < pieces.count else {
                guard offset < bytes.count else { return false }
                captures[name] = String(decoding: bytes[offset...], as: UTF8.self)
                return true
            }
            // The next piece is a literal (checkMatchable); try each place it
            // occurs, nearest first.
            guard case .literal(let next) = pieces[index + 1] else { return false }
            var end = offset + 1
            while end + next.count <= bytes.count {
                if Self.hasLiteral(next, in: bytes, at: end) {
                    captures[name] = String(decoding: bytes[offset..<end], as: UTF8.self)
                    if match(bytes, piece: index + 1, at: end, captures: &captures) {
                        return true
                    }
                }
                end += 1
            }
            captures[name] = nil
            return false
        }
    }

    private static func hasLiteral(_ literal: [UInt8], in bytes: [UInt8], at offset: Int) -> Bool {
        guard offset + literal.count <= bytes.count else { return false }
        return bytes[offset..<(offset + literal.count)].elementsEqual(literal)
    }

    // MARK: - Filling in

    /// The text with each placeholder replaced by `value(name)`.
    /// - Throws: the name of the first placeholder `value` has nothing for.
    func render(_ value: (String) -> String?) throws(MissingPlaceholder) -> String {
        var output: [UInt8] = []
        for piece in pieces {
            switch piece {
            case .literal(let literal):
                output.append(contentsOf: literal)
            case .placeholder(let name):
                guard let text = value(name) else { throw MissingPlaceholder(name: name) }
                output.append(contentsOf: text.utf8)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    // MARK: - Parsing

    private static func split(_ bytes: [UInt8]) throws(PatternSyntaxError) -> [Piece] {
        let open = UInt8(ascii: "{")
        let close = UInt8(ascii: "}")
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let doubled = index + 1 < bytes.count && bytes[index + 1] == byte
            if (byte == open || byte == close) && doubled {
                literal.append(byte)
                index += 2
            } else if byte == close {
                throw PatternSyntaxError(reason: "a lone } (write }} for a literal brace)")
            } else if byte == open {
                guard let end = bytes[(index + 1)...].firstIndex(of: close) else {
                    throw PatternSyntaxError(reason: "a { is not closed")
                }
                let name = bytes[(index + 1)..<end]
                guard !name.isEmpty, !name.contains(open) else {
                    throw PatternSyntaxError(reason: "a placeholder needs a name, as in {role}")
                }
                if !literal.isEmpty { pieces.append(.literal(literal)) }
                literal = []
                pieces.append(.placeholder(String(decoding: name, as: UTF8.self)))
                index = end + 1
            } else {
                literal.append(byte)
                index += 1
            }
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        return pieces
    }
}

/// A template placeholder with no value for the event at hand.
struct MissingPlaceholder: Error, Equatable {
    let name: String
}
