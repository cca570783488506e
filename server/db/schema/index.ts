// The whole schema, one file per resource. Add a new resource as a new file and re-export it here;
// then `npm run db:generate` writes the migration into drizzle/.
//
// No drizzle relations() (issue 18 item 3): they only feed the relational query API (db.query.*),
// which nothing here uses: every read is the SQL-like builder with explicit joins and where clauses,
// and the foreign keys (`.references()` beside each column) already declare and enforce every edge
// in PostgreSQL. relations() would be a second, unchecked copy of those edges. Add them together with
// the first db.query caller, not before (DESIGN.md's "relations declared beside it" should say so).
export * from './users';
export * from './workspaces';
export * from './experiments';
export * from './artifacts';
export * from './runs';
export * from './publications';
export * from './comments';
export * from './human-sessions';
