import { createHmac } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { IN_MEMORY_DATA_DIR, type Config } from '../config.js';
import { formatSealingKeys, generateSealingKey, type MsisdnSealer, parseSealingKeys, type SealingKey } from '../core/aliases/sealed-msisdn.js';
import { ThrottledVerifier } from '../core/merchants/throttled-verifier.js';
import { ChargePinService } from '../core/pins/service.js';
import { RefundService } from '../core/refunds/service.js';
import { SqlRefundReasonRepository } from '../storage/repositories/refund-reasons.js';
import { SqlChargePinRepository } from '../storage/repositories/charge-pins.js';
import type { Clock } from '../kernel/clock.js';
import { INFOMEDIA_PREFIX, infomediaPlugin } from '../facades/infomedia/plugin.js';
import type { FrameworkErrorRoutes } from '../facades/shared/framework-errors.js';
import type { Database } from '../storage/db.js';
import { SqlLoginThrottleStore } from '../storage/repositories/login-throttle.js';
import type { MerchantsModule } from './merchants.js';
import type { PaymentsModule } from './payments.js';
import { subscriptionsModule } from './subscriptions.js';

/** Where the development MX key lives in DATA_DIR (never used in production, which must configure INFOMEDIA_MX_KEYS). */
const DEV_KEY_FILE = 'infomedia-mx-keys';

export interface InfomediaModuleDeps {
  config: Config;
  db: Database;
  clock: Clock;
  merchants: MerchantsModule;
  payments: PaymentsModule;
  frameworkErrors: FrameworkErrorRoutes;
  /** The MX keys (sealingKeys): they seal MX values and key the charge PINs' hashes. */
  keys: readonly SealingKey[];
  /** The sealer of those keys, shared with what carries MX values to partners (delivery reports, MO). */
  sealer: MsisdnSealer;
  /** Tests shorten the hold of throttled answers. */
  refusalHoldMs?: number;
}

/** The Infomedia Mobile Payments API: its login check (throttled), its MX keys, its plugin at /V/1/6/Default.asmx. */
export async function registerInfomedia(http: FastifyInstance, deps: InfomediaModuleDeps): Promise<void> {
  const { config, db, clock, merchants } = deps;
  const verifier = new ThrottledVerifier({
    kind: 'password',
    verify: (username, password, address) => merchants.accounts.credentials.verifyPassword(username, password, address),
    throttle: new SqlLoginThrottleStore(db.kysely),
    clock,
    ...(deps.refusalHoldMs === undefined ? {} : { refusalHoldMs: deps.refusalHoldMs }),
  });
  const { keys, sealer } = deps;
  const pins = new ChargePinService({ pins: new SqlChargePinRepository(db), clock, pinKey: pinKeyOf(keys) });
  await http.register(infomediaPlugin, {
    prefix: INFOMEDIA_PREFIX,
    verifier,
    sealer,
    subscribers: deps.payments.subscribers,
    products: merchants.accounts.products,
    pins,
    payments: deps.payments.payments,
    refunds: new RefundService({ payments: deps.payments.payments, reasons: new SqlRefundReasonRepository(db.kysely), clock }),
    frameworkErrors: deps.frameworkErrors,
    ...subscriptionsModule({ db, clock }),
  });
}

/** PINs are hashed under a key derived from the sealing key (a rotation makes the PINs of the last 10 minutes unusable). */
function pinKeyOf(keys: readonly SealingKey[]): Buffer {
  const sealing = keys[0];
  if (!sealing) throw new Error('no sealing key');
  return createHmac('sha256', sealing.key).update('charge pin key').digest();
}

/** INFOMEDIA_MX_KEYS, or outside production the development key in DATA_DIR (made on first start, readable by this user only). */
export function sealingKeys(config: Config): SealingKey[] {
  if (config.infomediaMxKeys !== undefined) {
    const keys = parseSealingKeys(config.infomediaMxKeys);
    if (!keys) throw new Error('INFOMEDIA_MX_KEYS must be "id:base64key[,id:base64key…]": ids 1-255, keys of 32 bytes; the first seals');
    return keys;
  }
  if (config.production) throw new Error('INFOMEDIA_MX_KEYS must be set in production (MX values sealed with a development key would not survive a new data directory)');
  // Without a data directory on disk (PGlite in memory, or PostgreSQL with no DATA_DIR of its own) the key lives as long as the process.
  if (config.dataDir === IN_MEMORY_DATA_DIR) return [generateSealingKey()];
  const file = join(config.dataDir, DEV_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    try {
      // 'wx': of two processes starting on one directory, the second reads the first one's key.
      writeFileSync(file, `${formatSealingKeys([generateSealingKey()])}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const keys = parseSealingKeys(readFileSync(file, 'utf8').trim());
  if (!keys) throw new Error(`${file} is not a valid MX key list: remove it to have a new one generated`);
  return keys;
}
