export {
  MIGRATIONS_DIR,
  readMigrations,
  pendingMigrations,
  type Migration,
  type AppliedMigration,
} from './migrations.js';
export { migrate, MigrationError, type MigrateResult } from './migrate.js';
export {
  localDatabaseUrl,
  withDatabase,
  testDatabaseUrl,
  databaseName,
  withClient,
  serverVersion,
  ensureDatabase,
  dropDatabase,
} from './connect.js';
