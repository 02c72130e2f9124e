import type { Accounts } from './composition/accounts.js';
import type { Billing } from './core/products/types.js';
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
export async function seedDemoData(all: Accounts, platform: SqlPlatformRepository, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const { accounts, credentials } = all;
  await platform.upsertOperators(Object.values(SANDBOX_OPERATORS));
  for (const msisdn of SANDBOX_BLACKLISTED) await platform.block(msisdn, 'sandbox profile 18: blacklisted by the platform operator');
  const existing = await accounts.findEndpoint(DEMO.strexServiceId);
  if (existing) {
    const partners = await seedInfomediaDemo(all, existing.merchantId, env);
    return (await seedHermesDemo(all, existing.merchantId, env)) || partners;
  }
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
  await seedInfomediaDemo(all, merchantId, env);
  await seedHermesDemo(all, merchantId, env);
  return true;
}

/** The Infomedia demo partners of DESIGN.md (AID, PAID, products); the second is a merchant of its own. */
export const INFOMEDIA_DEMO = {
  partners: [
    { partnerId: 100, paid: '00000000-0000-4000-8000-000000000100', username: 'demo', products: [1001, 1002, 1003] },
    { partnerId: 101, paid: '00000000-0000-4000-8000-000000000101', username: 'demo2', products: [2001] },
  ],
  password: 'demo-password',
  /** The subscriptions' short code and keywords (DESIGN.md), routed to partner 100. */
  shortCode: '31000',
  keywords: ['DEMO', 'GAMES'],
} as const;

const INFOMEDIA_PRODUCTS: Readonly<Record<number, { name: string; amountMinor: bigint; billing: Billing }>> = {
  1001: { name: 'Demo once-off', amountMinor: 1000n, billing: { kind: 'once' } },
  1002: { name: 'Demo weekly (DEMO)', amountMinor: 500n, billing: { kind: 'recurring', period: { unit: 'week', count: 1 }, trialDays: 3 } },
  1003: { name: 'Demo monthly (GAMES)', amountMinor: 2000n, billing: { kind: 'recurring', period: { unit: 'month', count: 1 }, trialDays: 0 } },
  2001: { name: 'Demo2 once-off', amountMinor: 500n, billing: { kind: 'once' } },
};
const INFOMEDIA_DEFAULT_RETURN_URL = 'http://localhost:8080/sandbox/return';

/** Seeds the Infomedia partners once, also into a data directory seeded before they existed. */
async function seedInfomediaDemo({ accounts, credentials, products, routes }: Accounts, merchantId: number, env: NodeJS.ProcessEnv): Promise<boolean> {
  const endpoints = seeded(await accounts.listEndpoints(merchantId));
  if (endpoints.some((endpoint) => endpoint.kind === 'infomedia-payments')) return false;
  let added = false;
  for (const partner of INFOMEDIA_DEMO.partners) {
    const owner = partner.partnerId === 100 ? merchantId : seeded(await accounts.createMerchant('Demo merchant 2', true));
    const endpoint = await accounts.addEndpoint({
      merchantId: owner,
      kind: 'infomedia-payments',
      name: `Demo Infomedia partner ${partner.partnerId}`,
      currency: 'ZAR',
      settings: partner.partnerId === 100 ? demoPartnerSettings(env) : {},
      vendorIds: { 'partner-id': String(partner.partnerId), paid: partner.paid },
    });
    if (!endpoint.ok && endpoint.error.kind === 'endpoint-taken') continue;
    const { endpointId } = seeded(endpoint);
    seeded(await credentials.issue({ endpointId, kind: 'password', identifier: partner.username, secret: INFOMEDIA_DEMO.password, allowedCidrs: ['0.0.0.0/0', '::/0'] }));
    for (const keyword of partner.partnerId === 100 ? INFOMEDIA_DEMO.keywords : []) seeded(await routes.addRoute({ shortCode: INFOMEDIA_DEMO.shortCode, keyword, endpointId }));
    for (const productId of partner.products) {
      const product = INFOMEDIA_PRODUCTS[productId];
      if (!product) throw new Error(`demo product ${productId} is not described`);
      seeded(await products.addProduct({ productId, merchantId: owner, name: product.name }));
      seeded(await products.addPlan({ planId: productId, productId, amountMinor: product.amountMinor, currency: 'ZAR', billing: product.billing }));
    }
    added = true;
  }
  return added;
}

/** The Hermes account of the demo partner (DESIGN.md): its username and password, secret demo-secret, campaign 1. */
export const HERMES_DEMO = { username: 'demo', password: 'demo-password', sharedSecret: 'demo-secret', campaignId: '1' } as const;

/** Seeds the Hermes account once, also into a data directory seeded before it existed. */
async function seedHermesDemo({ accounts, credentials }: Accounts, merchantId: number, env: NodeJS.ProcessEnv): Promise<boolean> {
  const endpoints = seeded(await accounts.listEndpoints(merchantId));
  if (endpoints.some((endpoint) => endpoint.kind === 'hermes-sms')) return false;
  const { endpointId } = seeded(
    await accounts.addEndpoint({ merchantId, kind: 'hermes-sms', name: 'Demo Hermes account', currency: 'ZAR', settings: hermesDemoSettings(env), vendorIds: {} }),
  );
  const { username, password, sharedSecret } = HERMES_DEMO;
  seeded(await credentials.issue({ endpointId, kind: 'shared-secret', identifier: username, secret: password, sharedSecret, allowedCidrs: ['0.0.0.0/0', '::/0'] }));
  return true;
}

/** Campaign 1; its reports' MX for partner 100; its delivery reports to INFOMEDIA_DEMO_DLR_URL when set. */
function hermesDemoSettings(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const dlrUrl = env.INFOMEDIA_DEMO_DLR_URL;
  const settings: Record<string, unknown> = { campaignIds: [HERMES_DEMO.campaignId], partnerId: String(INFOMEDIA_DEMO.partners[0].partnerId) };
  if (dlrUrl !== undefined && dlrUrl !== '') settings.dlrUrl = dlrUrl;
  return settings;
}

/** The demo partner's URLs from the environment (DESIGN.md), and the return hosts they allow. */
function demoPartnerSettings(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const url = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const urls = {
    notifyUrl: url('INFOMEDIA_DEMO_NOTIFY_URL'),
    dlrUrl: url('INFOMEDIA_DEMO_DLR_URL'),
    moUrl: url('INFOMEDIA_DEMO_MO_URL'),
    pageUrl: url('INFOMEDIA_DEMO_PAGE_URL'),
  };
  const returnUrl = url('INFOMEDIA_DEMO_RETURN_URL') ?? INFOMEDIA_DEFAULT_RETURN_URL;
  const hosts = new Set(['localhost', '127.0.0.1']);
  for (const value of [...Object.values(urls), returnUrl]) {
    if (value === undefined) continue;
    try {
      hosts.add(new URL(value).hostname);
    } catch {
      // A malformed URL is refused by the settings check below, by its variable's field.
    }
  }
  const settings: Record<string, unknown> = { returnHosts: [...hosts], autoPort: true };
  for (const [name, value] of Object.entries(urls)) if (value !== undefined) settings[name] = value;
  return settings;
}

/** The demo data is fixed: a refusal is a bug in it. */
function seeded<T>(result: Result<T, unknown>): T {
  if (!result.ok) throw new Error(`demo data refused: ${JSON.stringify(result.error)}`);
  return result.value;
}
