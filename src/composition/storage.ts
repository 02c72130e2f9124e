import type { Config } from '../config.js';
import { type Database, openDatabase } from '../storage/db.js';
import { migrate } from '../storage/migrate.js';

/** The database of the config, migrated; closed again when the migration fails. */
export async function openStorage(config: Config): Promise<Database> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize });
  try {
    await migrate(db);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
