// Picks the SQLite binding for the running Node: better-sqlite3 13 (N-API 10) on Node ≥ 22.14, better-sqlite3 12 on Node 20.
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

const require = createRequire(import.meta.url);

/**
 * better-sqlite3 12 wraps objects with node::ObjectWrap, and Node 24.19+ aborts the process
 * ("Assertion failed: (env) != nullptr") when the GC finalizes one late — seen here in our own
 * Node 24 test run. 13 moved to node-addon-api and does not, but needs N-API 10, which Node 20
 * lacks (it segfaults there). Both have the same API, so load whichever fits this runtime.
 */
const useNapi = Number(process.versions.napi ?? 0) >= 10;

export const Database: typeof BetterSqlite3 = useNapi ? require('better-sqlite3-napi') : require('better-sqlite3');
export type Database = BetterSqlite3.Database;
export const driverName = useNapi ? 'better-sqlite3@13' : 'better-sqlite3@12';
