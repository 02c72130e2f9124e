import type { Accounts } from './composition/accounts.js';
import { SANDBOX_BLACKLISTED, SANDBOX_OPERATORS } from './connectors/sandbox/profiles.js';
import type { Result } from './kernel/result.js';
import type { SqlPlatformRepository } from './storage/repositories/platform.js';

export const DEMO = {
  strexServiceId: 1000,
  strexSmsServiceId: 2000,
  username: 'demo',
  password: 'demo-password',
} as const;

/**
 * Seeds the demo data of DESIGN.md once, through the services the operator CLI uses.
 * Returns false when it was already there.
 */
export async function seedDemoData({ accounts, credentials }: Accounts, platform: SqlPlatformRepository): Promise<boolean> {
  await platform.upsertOperators(Object.values(SANDBOX_OPERATORS));
  for (const msisdn of SANDBOX_BLACKLISTED) await platform.block(msisdn, 'sandbox profile 18: blacklisted by the platform operator');
  if (await accounts.findEndpoint(DEMO.strexServiceId)) return false;
  const merchantId = seeded(await accounts.createMerchant('Demo merchant', true));
  const strex = [
    { serviceId: DEMO.strexServiceId, platform: 'directpay', name: 'Demo Direct Payment' },
    { serviceId: DEMO.strexSmsServiceId, platform: 'sms', name: 'Demo SMS platform' },
  ];
  for (const { serviceId, platform: strexPlatform, name } of strex) {
    const endpoint = seeded(
      await accounts.addEndpoint({
        merchantId,
        kind: 'strex-directpay',
        name,
        currency: 'NOK',
        settings: { platform: strexPlatform },
        vendorIds: { 'service-id': String(serviceId) },
      }),
    );
    seeded(await credentials.issue({ endpointId: endpoint.endpointId, kind: 'basic', identifier: DEMO.username, secret: DEMO.password }));
  }
  return true;
}

/** The demo data is fixed: a refusal is a bug in it. */
function seeded<T>(result: Result<T, unknown>): T {
  if (!result.ok) throw new Error(`demo data refused: ${JSON.stringify(result.error)}`);
  return result.value;
}
