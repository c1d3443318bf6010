// A JSON object that keeps its members in source order.
//
// Event payloads are small (a handful of members), so lookups scan the
// member list; that beats hashing at these sizes and keeps the order the
// producer wrote, which matters when the store echoes an object back.

/// A JSON object with members in source order.
///
/// Keys compare by exact Unicode scalars. The parser refuses duplicate keys,
/// so a parsed object never has two members with the same key.
///
/// `==` is semantic equality: member order is irrelevant, numbers compare by
/// exact value (see ``JSONValue/isSemanticallyEqual(to:)``).
public struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// The members, in source order.
    public var members: [(key: String, value: JSONValue)]

    /// Creates an object from members in the given order.
    ///
    /// - Parameter members: The members; keys should be distinct, otherwise
    ///   lookups find the first.
    public init(members: [(key: String, value: JSONValue)] = []) {
        self.members = members
    }

    /// Creates an object with members in the order written.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.members = elements.map { (key: $0.0, value: $0.1) }
    }

    /// The number of members.
    public var count: Int { members.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The keys, in source order.
    public var keys: [String] { members.map(\.key) }

    /// The value for `key`, or `nil` when the object has no such member.
    ///
    /// Setting a value replaces the member in place, or appends it when the
    /// key is new; setting `nil` removes the member.
    ///
    /// - Complexity: O(n) in the number of members.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let index = index(forKey: key) else { return nil }
            return members[index].value
        }
        set {
            let existing = index(forKey: key)
            switch (existing, newValue) {
            case let (index?, value?):
                members[index].value = value
            case let (index?, nil):
                members.remove(at: index)
            case let (nil, value?):
                members.append((key: key, value: value))
            case (nil, nil):
                break
            }
        }
    }

    /// Whether the object has a member named `key` (even a `null` one).
    ///
    /// - Complexity: O(n) in the number of members.
    public func contains(key: String) -> Bool {
        index(forKey: key) != nil
    }

    /// The position of the member named `key`, compared by exact scalars.
    func index(forKey key: String) -> Int? {
        members.firstIndex { scalarsEqual($0.key, key) }
    }

    /// Whether both objects have the same keys with semantically equal
    /// values, regardless of member order.
    ///
    /// - Complexity: O(n²) for up to 16 members, O(n log n) beyond.
    public func isSemanticallyEqual(to other: JSONObject) -> Bool {
        guard members.count == other.members.count else { return false }

        if members.count <= 16 {
            for member in members {
                guard let index = other.index(forKey: member.key),
                    member.value.isSemanticallyEqual(to: other.members[index].value)
                else { return false }
            }
            return true
        }

        // Larger objects: pair the members up by sorted key.
        let mine = members.sorted { utf8Less($0.key, $1.key) }
        let theirs = other.members.sorted { utf8Less($0.key, $1.key) }
        for (a, b) in zip(mine, theirs) {
            guard scalarsEqual(a.key, b.key), a.value.isSemanticallyEqual(to: b.value) else {
                return false
            }
        }
        return true
    }

    /// Semantic equality; see ``isSemanticallyEqual(to:)``.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.isSemanticallyEqual(to: rhs)
    }
}

/// Orders strings by their UTF-8 bytes, which is also scalar order.
func utf8Less(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}

/// A key that hashes and compares by exact UTF-8 bytes, for duplicate
/// detection in large objects (`String`'s own hashing would merge
/// canonically equivalent spellings, which JSON treats as distinct keys).
struct ExactKey: Hashable {
    let text: String

    static func == (lhs: ExactKey, rhs: ExactKey) -> Bool {
        scalarsEqual(lhs.text, rhs.text)
    }

    func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
