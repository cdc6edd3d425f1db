// The PostgreSQL store and notifier, one concern per file under postgres/: the schema and its
// migrations, connection loss, the store and the notifier.
export { PostgresNotifier, type PostgresNotifierOptions } from "./postgres/notifier.ts";
export { PostgresStore, type PostgresStoreOptions } from "./postgres/store.ts";
