/** The Store port's implementations: an embedded SQLite file, and memory for tests. */
export { SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
export { MemoryStore } from "./memory-store.js";
export { MIGRATIONS, SCHEMA_VERSION, type Migration } from "./migrations.js";
