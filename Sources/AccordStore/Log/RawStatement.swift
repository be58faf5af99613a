import Foundation
import GRDB
import GRDBSQLite

/// A prepared statement driven through the SQLite C API, for the append hot path:
/// GRDB's argument boxing costs more than the insert itself there (STACK-NOTES).
/// Only used inside a GRDB write transaction on the same connection.
final class RawStatement {
    private let stmt: OpaquePointer
    private let db: Database
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ db: Database, sql: String) throws {
        var s: OpaquePointer?
        let code = sqlite3_prepare_v2(db.sqliteConnection, sql, -1, &s, nil)
        guard code == SQLITE_OK, let s else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
        }
        stmt = s
        self.db = db
    }

    deinit { sqlite3_finalize(stmt) }

    func bind(_ i: Int32, _ value: String?) {
        guard var v = value else {
            sqlite3_bind_null(stmt, i)
            return
        }
        v.withUTF8 { u in _ = sqlite3_bind_text(stmt, i, u.baseAddress, Int32(u.count), RawStatement.transient) }
    }

    func bind(_ i: Int32, _ v: Int64) { sqlite3_bind_int64(stmt, i, v) }

    func bind(_ i: Int32, blob: [UInt8]) {
        blob.withUnsafeBytes { b in _ = sqlite3_bind_blob(stmt, i, b.baseAddress, Int32(b.count), RawStatement.transient) }
    }

    /// Runs the statement to completion and resets it for the next bindings.
    func run() throws {
        let code = sqlite3_step(stmt)
        sqlite3_reset(stmt)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }
}
