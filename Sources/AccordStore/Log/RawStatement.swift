import Foundation
import GRDB
import GRDBSQLite

/// A prepared statement driven through the SQLite C API, for the hot paths (appending,
/// projecting): GRDB's argument boxing costs more than the statement itself there
/// (STACK-NOTES). Only used inside a GRDB access on the same connection.
final class RawStatement {
    private let stmt: OpaquePointer
    private let db: Database
    /// The GRDB statement this one drives, kept alive; nil when this one owns `stmt`.
    private let cached: Statement?
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// A statement of its own, finalized when released.
    init(_ db: Database, sql: String) throws {
        var s: OpaquePointer?
        let code = sqlite3_prepare_v2(db.sqliteConnection, sql, -1, &s, nil)
        guard code == SQLITE_OK, let s else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
        }
        stmt = s
        self.db = db
        cached = nil
    }

    /// The connection's cached statement for `sql` (GRDB's statement cache), prepared once
    /// per connection: for statements run in every small transaction.
    init(cached db: Database, sql: String) throws {
        let s = try db.cachedStatement(sql: sql)
        stmt = s.sqliteStatement
        self.db = db
        cached = s
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    deinit {
        if cached == nil {
            sqlite3_finalize(stmt)
        } else {
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
        }
    }

    func bind(_ i: Int32, _ value: String?) {
        guard var v = value else {
            sqlite3_bind_null(stmt, i)
            return
        }
        v.withUTF8 { u in _ = sqlite3_bind_text(stmt, i, u.baseAddress, Int32(u.count), RawStatement.transient) }
    }

    func bind(_ i: Int32, _ v: Int64) { sqlite3_bind_int64(stmt, i, v) }

    func bind(_ i: Int32, _ v: Int64?) {
        if let v { sqlite3_bind_int64(stmt, i, v) } else { sqlite3_bind_null(stmt, i) }
    }

    func bind(_ i: Int32, _ v: Bool) { sqlite3_bind_int64(stmt, i, v ? 1 : 0) }

    func bind(_ i: Int32, blob: [UInt8]) {
        blob.withUnsafeBytes { b in _ = sqlite3_bind_blob(stmt, i, b.baseAddress, Int32(b.count), RawStatement.transient) }
    }

    /// Runs the statement to completion and resets it for the next bindings.
    func run() throws {
        let code = sqlite3_step(stmt)
        sqlite3_reset(stmt)
        guard code == SQLITE_DONE else { throw error(code) }
    }

    /// Steps through the result rows, calling `row` for each, then resets.
    func rows(_ row: (RawStatement) throws -> Void) throws {
        defer { sqlite3_reset(stmt) }
        while true {
            let code = sqlite3_step(stmt)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw error(code) }
            try row(self)
        }
    }

    /// Column `i` of the current row as text; nil for NULL.
    func text(_ i: Int32) -> String? {
        guard sqlite3_column_type(stmt, i) != SQLITE_NULL, let p = sqlite3_column_text(stmt, i) else { return nil }
        let n = Int(sqlite3_column_bytes(stmt, i))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    func int(_ i: Int32) -> Int64 { sqlite3_column_int64(stmt, i) }

    /// How many rows the last statement this connection ran inserted, changed or deleted.
    var changes: Int { Int(sqlite3_changes(db.sqliteConnection)) }

    /// The rowid of the last row this connection inserted.
    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(db.sqliteConnection) }

    func isNull(_ i: Int32) -> Bool { sqlite3_column_type(stmt, i) == SQLITE_NULL }

    func isInteger(_ i: Int32) -> Bool { sqlite3_column_type(stmt, i) == SQLITE_INTEGER }

    private func error(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
    }
}
