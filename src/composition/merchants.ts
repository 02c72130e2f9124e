import type { Config } from '../config.js';
import { PasswordAuthenticator } from '../core/merchants/authentication.js';
import { MerchantService } from '../core/merchants/service.js';
import type { Clock } from '../kernel/clock.js';
import { seedDemoData } from '../seed.js';
import type { Database } from '../storage/db.js';
import { SqlLoginThrottleStore } from '../storage/repositories/login-throttle.js';
import { SqlMerchantRepository } from '../storage/repositories/merchants.js';
import { SqlPlatformRepository } from '../storage/repositories/platform.js';
import { type Accounts, composeAccounts } from './accounts.js';

/** Merchants, their services and credentials, the login check, and the platform's own data. */
export interface MerchantsModule {
  merchants: MerchantService;
  authenticator: PasswordAuthenticator;
  platform: SqlPlatformRepository;
  /** Merchants, endpoints, credentials and products for operators (the CLI, the seed). */
  accounts: Accounts;
}

/** Outside production the demo merchant is seeded (once, whichever server gets there first). */
export async function merchantsModule(deps: { config: Config; db: Database; clock: Clock }): Promise<MerchantsModule> {
  const { config, db, clock } = deps;
  const platform = new SqlPlatformRepository(db.kysely);
  const repository = new SqlMerchantRepository(db.kysely);
  const merchants = new MerchantService(repository);
  if (config.production && (await platform.hasDemoData())) {
    throw new Error('Refusing to start in production with the demo merchant present: remove it or unset NODE_ENV=production');
  }
  const accounts = composeAccounts(db.kysely, clock);
  if (!config.production) await db.exclusively(() => seedDemoData(accounts, platform));
  const authenticator = new PasswordAuthenticator({ credentials: repository, throttle: new SqlLoginThrottleStore(db.kysely), clock });
  return { merchants, authenticator, platform, accounts };
}
