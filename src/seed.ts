import { SANDBOX_BLACKLISTED, SANDBOX_OPERATORS } from './connectors/sandbox/profiles.js';
import type { MerchantService } from './core/merchants/service.js';
import type { SqlPlatformRepository } from './storage/repositories/platform.js';

export const DEMO = {
  strexServiceId: 1000,
  strexSmsServiceId: 2000,
  username: 'demo',
  password: 'demo-password',
} as const;

/** Seeds the demo data of DESIGN.md once. Returns false when it was already there. */
export async function seedDemoData(merchants: MerchantService, platform: SqlPlatformRepository): Promise<boolean> {
  await platform.upsertOperators(Object.values(SANDBOX_OPERATORS));
  for (const msisdn of SANDBOX_BLACKLISTED) await platform.block(msisdn, 'sandbox profile 18: blacklisted by the platform operator');
  if (await merchants.serviceExists(DEMO.strexServiceId)) return false;
  const merchantId = await merchants.createMerchant('Demo merchant', true);
  await merchants.createService(
    { serviceId: DEMO.strexServiceId, merchantId, platform: 'directpay', name: 'Demo Direct Payment', currency: 'NOK' },
    DEMO.username,
    DEMO.password,
  );
  await merchants.createService(
    { serviceId: DEMO.strexSmsServiceId, merchantId, platform: 'sms', name: 'Demo SMS platform', currency: 'NOK' },
    DEMO.username,
    DEMO.password,
  );
  return true;
}
