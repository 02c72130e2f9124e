import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { AccountsService } from '../../src/core/merchants/accounts.js';
import { PasswordAuthenticator } from '../../src/core/merchants/authentication.js';
import { CredentialService } from '../../src/core/merchants/credentials.js';
import { ProductService } from '../../src/core/products/service.js';
import { endpointKindCatalog } from '../../src/composition/endpoint-kinds.js';
import { type Database, openDatabase } from '../../src/storage/db.js';
import { functionsDirectory, migrate, migrationsDirectory } from '../../src/storage/migrate.js';
import { SqlAccountsRepository } from '../../src/storage/repositories/accounts.js';
import { SqlLoginThrottleStore } from '../../src/storage/repositories/login-throttle.js';
import { SqlMerchantRepository } from '../../src/storage/repositories/merchants.js';
import { SqlProductRepository } from '../../src/storage/repositories/products.js';
import { databaseUrlFor, engines, TestClock } from '../support/app.js';

const must = <T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!result.ok) assert.fail(`expected ok, got ${JSON.stringify(result.error)}`);
  return result.value;
};

/** Migrations 0001-0009 only, in a directory of their own, and no function files. */
function migrationsUpTo(last: string): { migrations: string; functions: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'opendcb-migrations-'));
  const migrations = join(root, 'migrations');
  const functions = join(root, 'functions');
  mkdirSync(migrations);
  mkdirSync(functions);
  for (const file of readdirSync(migrationsDirectory())) if (file <= last) copyFileSync(join(migrationsDirectory(), file), join(migrations, file));
  return { migrations, functions, remove: () => rmSync(root, { recursive: true, force: true }) };
}

for (const engine of engines()) {
  describe(`migration 0010: services become endpoints [${engine}]`, () => {
    let db: Database;
    before(async () => {
      db = await openDatabase({ databaseUrl: await databaseUrlFor(engine, 'accounts_migration'), dataDir: 'memory://' });
    });
    after(() => db.close());

    it('existing services, credentials and what points at them carry over with their ids', async () => {
      const old = migrationsUpTo('0009_token_consent.sql');
      try {
        await migrate(db, old);
      } finally {
        old.remove();
      }
      await sql`INSERT INTO merchants (id, name) OVERRIDING SYSTEM VALUE VALUES (7, 'Old merchant')`.execute(db.kysely);
      await sql`INSERT INTO services (id, merchant_id, platform, name, currency, requires_verified_msisdn)
                VALUES (1000, 7, 'directpay', 'Old DP', 'NOK', true), (2000, 7, 'sms', 'Old SMS', 'NOK', false)`.execute(db.kysely);
      await sql`INSERT INTO service_credentials (id, service_id, username, password_hash) OVERRIDING SYSTEM VALUE
                VALUES (31, 1000, 'old', 'scrypt$old'), (32, 2000, 'old', 'scrypt$old2')`.execute(db.kysely);
      await sql`INSERT INTO credential_sources (credential_id, source, last_verified_at) VALUES (31, '10.0.0.1', now())`.execute(db.kysely);
      await sql`INSERT INTO payments (id, service_id, merchant_id, client_reference, details_hash, msisdn, operator, amount_minor, currency,
                service_code, status, month_period, year_period) VALUES (5, 1000, 7, 'r1', 'h', '+4790000000', '242-01', 100, 'NOK', '10002', 'paid', 'M2026-12', 'Y2026')`.execute(db.kysely);

      const { applied } = await migrate(db, { functions: functionsDirectory() });
      // 0010 first; the migrations numbered after it (the ledger's 0011, …) follow it.
      assert.equal(applied[0], '0010_endpoints_credentials_products.sql');

      const endpoints = new SqlAccountsRepository(db.kysely);
      const dp = await endpoints.findEndpoint(1000);
      assert.deepEqual(dp, {
        endpointId: 1000,
        merchantId: 7,
        kind: 'strex-directpay',
        name: 'Old DP',
        currency: 'NOK',
        settings: { platform: 'directpay' },
        vendorIds: [{ name: 'strex-service-id', value: '1000' }],
        requiresVerifiedMsisdn: true,
      });
      assert.deepEqual((await endpoints.findEndpoint(2000))?.settings, { platform: 'sms' });
      const credentials = await endpoints.listCredentials(1000, 10);
      assert.deepEqual(
        credentials.map((c) => [c.credentialId, c.kind, c.identifier, c.allowedCidrs, c.revokedAt]),
        [[31, 'basic', 'old', [], null]],
      );
      // The login path reads the migrated rows as it read the old ones.
      const stored = await new SqlMerchantRepository(db.kysely).findCredential(2000, 'old');
      assert.deepEqual(stored, {
        credentialId: 32,
        passwordHash: 'scrypt$old2',
        service: { serviceId: 2000, merchantId: 7, platform: 'sms', currency: 'NOK', requiresVerifiedMsisdn: false },
      });
      // Foreign keys followed the rename: a payment of an unknown endpoint is refused, the old one still joins.
      const { rows } = await sql<{ name: string }>`SELECT e.name FROM payments p JOIN endpoints e ON e.id = p.service_id WHERE p.id = 5`.execute(db.kysely);
      assert.deepEqual(rows, [{ name: 'Old DP' }]);
      await assert.rejects(
        sql`INSERT INTO payments (service_id, merchant_id, client_reference, details_hash, msisdn, operator, amount_minor, currency,
            service_code, status, month_period, year_period) VALUES (999, 7, 'r2', 'h', '+4790000000', '242-01', 100, 'NOK', '10002', 'paid', 'M2026-12', 'Y2026')`.execute(db.kysely),
        /foreign key/,
      );
      assert.equal(await new SqlLoginThrottleStore(db.kysely).isKnownSource(31, '10.0.0.1'), true);
    });
  });

  describe(`accounts: merchants, endpoints, credentials, products [${engine}]`, () => {
    let db: Database;
    let clock: TestClock;
    let accounts: AccountsService;
    let credentials: CredentialService;
    let products: ProductService;
    let merchantId: number;
    before(async () => {
      db = await openDatabase({ databaseUrl: await databaseUrlFor(engine, 'accounts'), dataDir: 'memory://' });
      await migrate(db);
      clock = new TestClock();
      const repository = new SqlAccountsRepository(db.kysely);
      const kinds = endpointKindCatalog();
      accounts = new AccountsService(repository, kinds, clock);
      credentials = new CredentialService({ repository, kinds, clock });
      products = new ProductService(new SqlProductRepository(db.kysely), clock);
      merchantId = must(await accounts.createMerchant('Accounts merchant'));
    });
    after(() => db.close());

    const endpointOf = async (kind: string, vendorIds: Record<string, string> = {}, settings: unknown = {}) =>
      must(await accounts.addEndpoint({ merchantId, kind, name: `${kind} endpoint`, currency: 'ZAR', settings, vendorIds })).endpointId;

    it('a Strex endpoint takes its serviceId as id; other kinds get ids above Int32; a taken vendor id is refused whole', async () => {
      assert.equal(await endpointOf('strex-directpay', { 'service-id': '7100' }), 7100);
      const infomedia = await endpointOf('infomedia-payments', { 'partner-id': '300', paid: '00000000-0000-4000-8000-000000000300' }, { autoPort: true });
      assert.ok(infomedia >= 2_147_483_648, String(infomedia));
      const again = await accounts.addEndpoint({
        merchantId,
        kind: 'infomedia-payments',
        name: 'dup',
        currency: 'ZAR',
        settings: {},
        vendorIds: { 'partner-id': '301', paid: '00000000-0000-4000-8000-000000000300' },
      });
      assert.deepEqual(again, { ok: false, error: { kind: 'endpoint-taken' } });
      const listed = must(await accounts.listEndpoints(merchantId));
      assert.deepEqual(listed.map((e) => [e.kind, e.vendorIds.map((v) => `${v.name}=${v.value}`), e.settings]), [
        ['strex-directpay', ['strex-service-id=7100'], { platform: 'directpay' }],
        ['infomedia-payments', ['infomedia-paid=00000000-0000-4000-8000-000000000300', 'infomedia-partner-id=300'], { autoPort: true }],
      ]);
    });

    it('settings and vendor ids are checked by the kind, with reasons', async () => {
      const refused = await accounts.addEndpoint({
        merchantId,
        kind: 'strex-directpay',
        name: 'bad',
        currency: 'NOK',
        settings: { platform: 'fax', colour: 'red' },
        vendorIds: { 'service-id': '0', partner: '1' },
      });
      assert.deepEqual(refused, {
        ok: false,
        error: {
          kind: 'invalid-settings',
          reasons: [
            'unknown setting colour',
            'setting platform must be one of directpay, sms',
            "vendor id partner is not one of strex-directpay's (service-id)",
            'vendor id service-id must be the serviceId, an integer 1-2147483647',
          ],
        },
      });
      assert.deepEqual(await accounts.addEndpoint({ merchantId, kind: 'fax', name: 'x', currency: 'NOK', settings: {}, vendorIds: {} }), {
        ok: false,
        error: { kind: 'unknown-endpoint-kind', endpointKind: 'fax', known: ['strex-directpay', 'infomedia-payments', 'hermes-sms', 'telenor-order', 'native'] },
      });
    });

    it('basic: the login path accepts the issued password, not the old one after a rotation, nothing after revocation', async () => {
      const endpointId = await endpointOf('strex-directpay', { 'service-id': '7200' });
      const issued = must(await credentials.issue({ endpointId, kind: 'basic', identifier: 'shop', secret: 'shop-password' }));
      assert.deepEqual(issued.secrets, { password: 'shop-password' });
      const login = () => new PasswordAuthenticator({ credentials: new SqlMerchantRepository(db.kysely), throttle: new SqlLoginThrottleStore(db.kysely), clock, refusalHoldMs: 0 });
      const attempt = (password: string) => login().authenticate({ serviceId: endpointId, username: 'shop', password, source: '10.1.0.1' });
      assert.equal((await attempt('shop-password')).ok, true);
      assert.deepEqual(await attempt('wrong-password'), { ok: false, error: { kind: 'invalid' } });
      const rotated = must(await credentials.rotate(issued.credentialId));
      const newPassword = rotated.secrets.password ?? assert.fail();
      assert.notEqual(newPassword, 'shop-password');
      assert.deepEqual(await attempt('shop-password'), { ok: false, error: { kind: 'invalid' } });
      assert.equal((await attempt(newPassword)).ok, true);
      assert.deepEqual((await credentials.verifyBasic(endpointId, 'shop', newPassword)).ok, true);
      must(await credentials.revoke(issued.credentialId));
      assert.deepEqual(await attempt(newPassword), { ok: false, error: { kind: 'invalid' } });
      assert.deepEqual(await credentials.revoke(issued.credentialId), { ok: false, error: { kind: 'credential-revoked', credentialId: issued.credentialId } });
      assert.deepEqual(await credentials.rotate(issued.credentialId), { ok: false, error: { kind: 'credential-revoked', credentialId: issued.credentialId } });
      // Revoked, the username can be issued again (the old row stays as history).
      must(await credentials.issue({ endpointId, kind: 'basic', identifier: 'shop', secret: 'shop-password-2' }));
      assert.deepEqual(must(await credentials.list(endpointId)).map((c) => [c.identifier, c.revokedAt !== null]), [['shop', true], ['shop', false]]);
    });

    it('password: right source and password only; outside the allow-list refused before the password is looked at', async () => {
      const endpointId = await endpointOf('infomedia-payments', { 'partner-id': '310', paid: '00000000-0000-4000-8000-000000000310' });
      const issued = must(await credentials.issue({ endpointId, kind: 'password', identifier: 'partner310', allowedCidrs: ['192.0.2.0/24', '2001:db8::/32'] }));
      const password = issued.secrets.password ?? assert.fail();
      assert.equal(must(await credentials.verifyPassword('partner310', password, '192.0.2.77')).endpointId, endpointId);
      assert.equal(must(await credentials.verifyPassword('partner310', password, '::ffff:192.0.2.8')).endpointId, endpointId);
      assert.equal(must(await credentials.verifyPassword('partner310', password, '2001:db8:1::5')).endpointId, endpointId);
      assert.deepEqual(await credentials.verifyPassword('partner310', password, '198.51.100.1'), { ok: false, error: { kind: 'source-not-allowed' } });
      // An unknown identifier from there is refused alike, or the answer would tell which identifiers exist.
      assert.deepEqual(await credentials.verifyPassword('nobody', password, '198.51.100.1'), { ok: false, error: { kind: 'source-not-allowed' } });
      assert.deepEqual(await credentials.verifyPassword('partner310', 'wrong-password', '192.0.2.77'), { ok: false, error: { kind: 'wrong-secret' } });
      assert.deepEqual(await credentials.verifyPassword('nobody', password, '192.0.2.77'), { ok: false, error: { kind: 'unknown-identifier' } });
      const rotated = must(await credentials.rotate(issued.credentialId)).secrets.password ?? assert.fail();
      assert.deepEqual(await credentials.verifyPassword('partner310', password, '192.0.2.77'), { ok: false, error: { kind: 'wrong-secret' } });
      assert.equal((await credentials.verifyPassword('partner310', rotated, '192.0.2.77')).ok, true);
      must(await credentials.revoke(issued.credentialId));
      assert.deepEqual(await credentials.verifyPassword('partner310', rotated, '192.0.2.77'), { ok: false, error: { kind: 'unknown-identifier' } });
      assert.deepEqual(await credentials.issue({ endpointId, kind: 'password', identifier: 'p2' }), {
        ok: false,
        error: { kind: 'invalid-field', field: 'allowed CIDRs', reason: 'a password credential needs at least one source range (0.0.0.0/0 and ::/0 allow any)' },
      });
      assert.deepEqual(await credentials.issue({ endpointId, kind: 'password', identifier: 'p2', allowedCidrs: ['192.0.2.1/24'] }), {
        ok: false,
        error: { kind: 'invalid-field', field: 'allowed CIDRs', reason: '192.0.2.1/24 is not an address range (e.g. 192.0.2.0/24, 2001:db8::/32) with its host bits zero' },
      });
    });

    it('shared secret: the MD5 of password and secret, in either written form; rotated and revoked refused', async () => {
      const endpointId = await endpointOf('hermes-sms');
      const issued = must(await credentials.issue({ endpointId, kind: 'shared-secret', identifier: 'hermes1', secret: 'demo-password', sharedSecret: 'demo-secret' }));
      const md5 = issued.secrets.md5Hash ?? assert.fail();
      assert.equal(md5, createHash('md5').update('demo-passworddemo-secret', 'utf8').digest('hex'));
      const dotNet = (md5.toUpperCase().match(/../g) ?? []).join('-');
      assert.equal(must(await credentials.verifyDigest('hermes1', md5, '10.0.0.1')).endpointId, endpointId);
      assert.equal(must(await credentials.verifyDigest('hermes1', dotNet, '10.0.0.1')).endpointId, endpointId);
      assert.deepEqual(await credentials.verifyDigest('hermes1', '0'.repeat(32), '10.0.0.1'), { ok: false, error: { kind: 'wrong-secret' } });
      assert.deepEqual(await credentials.verifyDigest('hermes1', 'not-a-digest', '10.0.0.1'), { ok: false, error: { kind: 'malformed' } });
      assert.deepEqual(await credentials.verifyDigest('nobody', md5, '10.0.0.1'), { ok: false, error: { kind: 'unknown-identifier' } });
      const rotated = must(await credentials.rotate(issued.credentialId));
      assert.deepEqual(await credentials.verifyDigest('hermes1', md5, '10.0.0.1'), { ok: false, error: { kind: 'wrong-secret' } });
      assert.equal((await credentials.verifyDigest('hermes1', rotated.secrets.md5Hash ?? '', '10.0.0.1')).ok, true);
      must(await credentials.revoke(issued.credentialId));
      assert.deepEqual(await credentials.verifyDigest('hermes1', rotated.secrets.md5Hash ?? '', '10.0.0.1'), { ok: false, error: { kind: 'unknown-identifier' } });
    });

    it('OAuth2 client: generated client id and secret; a CIDR list restricts it when given', async () => {
      const endpointId = await endpointOf('telenor-order');
      const issued = must(await credentials.issue({ endpointId, kind: 'oauth2-client', allowedCidrs: ['10.9.0.0/16'] }));
      assert.match(issued.identifier, /^client_[a-z2-7]{16}$/);
      const secret = issued.secrets.clientSecret ?? assert.fail();
      assert.equal((await credentials.verifyClient(issued.identifier, secret, '10.9.8.7')).ok, true);
      assert.deepEqual(await credentials.verifyClient(issued.identifier, secret, '10.10.0.1'), { ok: false, error: { kind: 'source-not-allowed' } });
      assert.deepEqual(await credentials.verifyClient(issued.identifier, `${secret}x`, '10.9.8.7'), { ok: false, error: { kind: 'wrong-secret' } });
      const rotated = must(await credentials.rotate(issued.credentialId)).secrets.clientSecret ?? '';
      assert.deepEqual(await credentials.verifyClient(issued.identifier, secret, '10.9.8.7'), { ok: false, error: { kind: 'wrong-secret' } });
      assert.equal((await credentials.verifyClient(issued.identifier, rotated, '10.9.8.7')).ok, true);
      must(await credentials.revoke(issued.credentialId));
      assert.deepEqual(await credentials.verifyClient(issued.identifier, rotated, '10.9.8.7'), { ok: false, error: { kind: 'unknown-identifier' } });
    });

    it('API key: one string, found by its id part; wrong, rotated and revoked keys refused', async () => {
      const endpointId = await endpointOf('native');
      clock.advance(10 * 365 * 86_400_000);
      const issued = must(await credentials.issue({ endpointId, kind: 'api-key' }));
      const [summary] = must(await credentials.list(endpointId));
      assert.equal(summary?.createdAt.getUTCFullYear(), clock.now().getUTCFullYear(), 'stamped by the injected clock, not the database');
      const key = issued.secrets.apiKey ?? assert.fail();
      assert.match(key, /^sk_[a-z2-7]{16}_[A-Za-z0-9_-]{43}$/);
      assert.equal(key.split('_')[1], issued.identifier);
      assert.equal(must(await credentials.verifyApiKey(key, '10.0.0.1')).endpointId, endpointId);
      const wrong = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
      assert.deepEqual(await credentials.verifyApiKey(wrong, '10.0.0.1'), { ok: false, error: { kind: 'wrong-secret' } });
      assert.deepEqual(await credentials.verifyApiKey('sk_test_demo', '10.0.0.1'), { ok: false, error: { kind: 'malformed' } });
      const rotated = must(await credentials.rotate(issued.credentialId)).secrets.apiKey ?? '';
      assert.equal(rotated.split('_')[1], issued.identifier, 'the key keeps its id');
      assert.deepEqual(await credentials.verifyApiKey(key, '10.0.0.1'), { ok: false, error: { kind: 'wrong-secret' } });
      assert.equal((await credentials.verifyApiKey(rotated, '10.0.0.1')).ok, true);
      must(await credentials.revoke(issued.credentialId));
      assert.deepEqual(await credentials.verifyApiKey(rotated, '10.0.0.1'), { ok: false, error: { kind: 'unknown-identifier' } });
      // The hash kept is not the key.
      const { rows } = await sql<{ secret_hash: string }>`SELECT secret_hash FROM credentials WHERE id = ${issued.credentialId}`.execute(db.kysely);
      assert.match(rows[0]?.secret_hash ?? '', /^sha256\$[0-9a-f]{64}$/);
    });

    it('concurrent issues of one identifier and adds of one vendor id: exactly one wins, by the unique indexes', async () => {
      const endpointId = await endpointOf('telenor-order');
      const issues = await Promise.all(
        Array.from({ length: 20 }, () => credentials.issue({ endpointId, kind: 'oauth2-client', identifier: 'race-client', secret: 'race-secret' })),
      );
      assert.equal(issues.filter((r) => r.ok).length, 1);
      assert.deepEqual(issues.filter((r) => !r.ok).map((r) => !r.ok && r.error), Array.from({ length: 19 }, () => ({ kind: 'identifier-taken', identifier: 'race-client' })));
      const adds = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          accounts.addEndpoint({ merchantId, kind: 'strex-directpay', name: `race ${i}`, currency: 'NOK', settings: {}, vendorIds: { 'service-id': '7300' } }),
        ),
      );
      assert.equal(adds.filter((r) => r.ok).length, 1);
      assert.equal(adds.filter((r) => !r.ok && r.error.kind === 'endpoint-taken').length, 19);
      const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM endpoint_vendor_ids WHERE value = '7300'`.execute(db.kysely);
      assert.equal(Number(rows[0]?.n), 1, 'no endpoint half-added');
    });

    it('an endpoint only takes the credential kinds its API carries', async () => {
      const endpointId = await endpointOf('native');
      assert.deepEqual(await credentials.issue({ endpointId, kind: 'basic', identifier: 'x', secret: 'xxxxxxxx' }), {
        ok: false,
        error: { kind: 'credential-kind-not-accepted', credentialKind: 'basic', accepted: ['api-key'] },
      });
    });

    it('products with once-off and recurring plans, bounded, given ids kept', async () => {
      const game = must(await products.addProduct({ productId: 7001, merchantId, name: 'Games' }));
      must(await products.addPlan({ planId: 7001, productId: game.productId, amountMinor: 1000n, currency: 'ZAR', billing: { kind: 'once' } }));
      const weekly = must(
        await products.addPlan({ productId: game.productId, amountMinor: 500n, currency: 'ZAR', billing: { kind: 'recurring', period: { unit: 'week', count: 1 }, trialDays: 3 } }),
      );
      assert.ok(weekly.planId >= 1_000_000_000);
      assert.deepEqual(await products.addProduct({ productId: 7001, merchantId, name: 'Again' }), { ok: false, error: { kind: 'product-taken', productId: 7001 } });
      assert.deepEqual(
        await products.addPlan({ productId: game.productId, amountMinor: 500n, currency: 'ZAR', billing: { kind: 'recurring', period: { unit: 'month', count: 13 }, trialDays: 0 } }),
        { ok: false, error: { kind: 'invalid-field', field: 'period', reason: 'a month count must be 1-12' } },
      );
      assert.deepEqual(await products.addPlan({ productId: 999_999, amountMinor: 1n, currency: 'ZAR', billing: { kind: 'once' } }), {
        ok: false,
        error: { kind: 'unknown-product', productId: 999_999 },
      });
      const listed = must(await products.listProducts(merchantId));
      assert.deepEqual(listed, [
        {
          productId: 7001,
          merchantId,
          name: 'Games',
          plans: [
            { planId: 7001, productId: 7001, amountMinor: 1000n, currency: 'ZAR', billing: { kind: 'once' } },
            { planId: weekly.planId, productId: 7001, amountMinor: 500n, currency: 'ZAR', billing: { kind: 'recurring', period: { unit: 'week', count: 1 }, trialDays: 3 } },
          ],
        },
      ]);
    });
  });
}
