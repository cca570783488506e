// Applies the SQL migrations in drizzle/ to the configured database (DATABASE_URL, else PGlite in
// <DATA_DIR>/pg), then closes it so that the web server can own the PGlite directory.
import { closeDb, getDbHandle } from '../server/db/client';
import { migrateDb } from '../server/db/migrate';

const started = performance.now();
const handle = getDbHandle();
await migrateDb(handle);
await closeDb();
console.log(`[deeper] database ready (${handle.kind}, migrations applied in ${Math.round(performance.now() - started)} ms)`);
