import Foundation

/// Whether `lhs` comes before `rhs` in the order of their UTF-8 bytes (code
/// point order), the order read models sort their keys in. The same answer
/// as `lhs.utf8.lexicographicallyPrecedes(rhs.utf8)`, compared with
/// `memcmp` on the strings' contiguous bytes instead of byte by byte.
func utf8Precedes(_ lhs: String, _ rhs: String) -> Bool {
    var left = lhs
    var right = rhs
    return left.withUTF8 { a in
        right.withUTF8 { b in
            let common = min(a.count, b.count)
            if common > 0, let x = a.baseAddress, let y = b.baseAddress {
                let order = memcmp(x, y, common)
                if order != 0 { return order < 0 }
            }
            return a.count < b.count
        }
    }
}
