import { parseArgs } from 'node:util';
import type { Accounts } from './composition/accounts.js';
import type { AccountsError } from './core/merchants/accounts.js';
import { type CredentialKind, type IssuedCredential, isCredentialKind } from './core/merchants/accounts-types.js';
import { PERIOD_UNITS, type Billing, type PeriodUnit, type PricePlan } from './core/products/types.js';
import { ENDPOINT_KINDS } from './composition/endpoint-kinds.js';
import { formatMinor } from './kernel/money.js';
import type { Result } from './kernel/result.js';
import type { RouteError } from './core/messaging/inbound.js';
import { describeError, table } from './operator-output.js';

/** A mistake in the command line itself: exit 2, as for an unknown command. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A request the services refused (unknown merchant, invalid settings …): exit 1. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
}


export const OPERATOR_GROUPS = ['merchants', 'endpoints', 'credentials', 'products', 'plans', 'routes', 'outbox'] as const;
const MAX_OPTION_CHARS = 4096;

type Options = Record<string, string | boolean | string[] | undefined>;
type Print = (line: string) => void;

export function isOperatorGroup(text: string | undefined): boolean {
  return (OPERATOR_GROUPS as readonly (string | undefined)[]).includes(text);
}

/**
 * Reads one operator command line; throws UsageError before anything is opened when it is
 * not one. The answer runs it; what it prints goes to `print`, one line per call.
 */
export function operatorCommand(group: string, argv: readonly string[]): (services: Accounts, io: { print: Print; readSecrets: () => Promise<string[]> }) => Promise<void> {
  const [action, ...rest] = argv;
  const command = `${group} ${action ?? ''}`.trim();
  const handler = HANDLERS[command];
  if (!handler) {
    const actions = Object.keys(HANDLERS).filter((name) => name.startsWith(`${group} `)).map((name) => name.slice(group.length + 1));
    throw new UsageError(`unknown command: opendcb ${command} (opendcb ${group} ${actions.join('|')})`);
  }
  const { values, positionals } = parse(handler.options, rest);
  if (positionals.length > (handler.positionals ?? 0)) throw new UsageError(`unexpected argument: ${positionals.at(-1)}`);
  return (services, io) => handler.run({ options: values, positionals, services, ...io });
}

interface Context {
  options: Options;
  positionals: string[];
  services: Accounts;
  print: Print;
  readSecrets: () => Promise<string[]>;
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

const text = { type: 'string' } as const;
const many = { type: 'string', multiple: true } as const;
const flag = { type: 'boolean' } as const;

const HANDLERS: Record<string, { options: OptionSpec; positionals?: number; run: (c: Context) => Promise<void> }> = {
  'routes add': {
    options: { endpoint: text, 'short-code': text, keyword: text },
    async run({ options, services, print }) {
      const added = await services.routes.addRoute({ endpointId: id(options, 'endpoint'), shortCode: required(options, 'short-code'), keyword: optional(options, 'keyword') ?? '' });
      if (!added.ok) throw new RefusedError(describeRouteError(added.error));
      const { routeId, shortCode, keyword, endpointId } = added.value;
      print(`route ${routeId} added: ${keyword === '' ? 'every other word' : keyword} to ${shortCode} goes to endpoint ${endpointId}`);
    },
  },
  'routes list': {
    options: {},
    async run({ services, print }) {
      const routes = await services.routes.routes();
      table(print, ['id', 'short code', 'keyword', 'endpoint', 'merchant'], routes.map((r) => [String(r.routeId), r.shortCode, r.keyword || '(any other)', String(r.endpointId), String(r.merchantId)]));
    },
  },
  'outbox dead': {
    options: {},
    async run({ services, print }) {
      const letters = await services.outbox.deadLetters();
      table(
        print,
        ['event', 'topic', 'queued', 'given up', 'attempts', 'last error'],
        letters.map((l) => [String(l.id), l.topic, l.createdAt.toISOString(), l.deadAt.toISOString(), String(l.attempts), l.lastError ?? '-']),
      );
    },
  },
  'outbox resend': {
    options: { event: text },
    async run({ options, services, print }) {
      const eventId = id(options, 'event');
      if (!(await services.outbox.resend(eventId))) throw new RefusedError(`event ${eventId} is not a dead letter`);
      print(`event ${eventId} is due again, with a new retry window`);
    },
  },
  'merchants create': {
    options: { name: text },
    async run({ options, services, print }) {
      const merchantId = refusedUnlessOk(await services.accounts.createMerchant(required(options, 'name')));
      print(`merchant ${merchantId} created`);
    },
  },
  'merchants list': {
    options: {},
    async run({ services, print }) {
      const merchants = await services.accounts.listMerchants();
      table(print, ['id', 'name', 'demo'], merchants.map((m) => [String(m.merchantId), m.name, m.isDemo ? 'yes' : 'no']));
    },
  },
  'endpoints kinds': {
    options: {},
    async run({ print }) {
      const rows = ENDPOINT_KINDS.map((k) => [k.kind, k.vendorIds.map((v) => `${v.name}${v.required ? '' : '?'}`).join(' ') || '-', k.credentialKinds.join(' '), k.description]);
      table(print, ['kind', 'vendor ids', 'credentials', 'API'], rows);
    },
  },
  'endpoints add': {
    options: { merchant: text, kind: text, name: text, currency: text, 'vendor-id': many, settings: text, 'requires-verified-msisdn': flag },
    async run({ options, services, print }) {
      const endpoint = refusedUnlessOk(
        await services.accounts.addEndpoint({
          merchantId: id(options, 'merchant'),
          kind: required(options, 'kind'),
          name: required(options, 'name'),
          currency: required(options, 'currency'),
          settings: jsonOption(options, 'settings'),
          vendorIds: pairs(options, 'vendor-id'),
          requiresVerifiedMsisdn: options['requires-verified-msisdn'] === true,
        }),
      );
      print(`endpoint ${endpoint.endpointId} added: ${endpoint.kind} of merchant ${endpoint.merchantId}, settings ${JSON.stringify(endpoint.settings)}`);
    },
  },
  'endpoints list': {
    options: { merchant: text },
    async run({ options, services, print }) {
      const merchantId = options.merchant === undefined ? null : id(options, 'merchant');
      const endpoints = refusedUnlessOk(await services.accounts.listEndpoints(merchantId));
      table(
        print,
        ['id', 'merchant', 'kind', 'currency', 'vendor ids', 'name', 'settings'],
        endpoints.map((e) => [
          String(e.endpointId),
          String(e.merchantId),
          e.kind,
          e.currency,
          e.vendorIds.map((v) => `${v.name}=${v.value}`).join(' ') || '-',
          e.name,
          JSON.stringify(e.settings),
        ]),
      );
    },
  },
  'credentials issue': {
    options: { endpoint: text, kind: text, identifier: text, allow: many, 'secret-stdin': flag },
    async run({ options, services, print, readSecrets }) {
      const kind = credentialKind(required(options, 'kind'));
      const [secret, sharedSecret] = options['secret-stdin'] === true ? await readSecrets() : [];
      const issued = refusedUnlessOk(
        await services.credentials.issue({
          endpointId: id(options, 'endpoint'),
          kind,
          identifier: optional(options, 'identifier'),
          secret,
          sharedSecret,
          allowedCidrs: list(options, 'allow'),
        }),
      );
      printIssued(print, 'issued', issued);
    },
  },
  'credentials rotate': {
    options: { credential: text, 'secret-stdin': flag },
    async run({ options, services, print, readSecrets }) {
      const [secret, sharedSecret] = options['secret-stdin'] === true ? await readSecrets() : [];
      const given = { ...(secret === undefined ? {} : { secret }), ...(sharedSecret === undefined ? {} : { sharedSecret }) };
      printIssued(print, 'rotated (the old secret no longer works)', refusedUnlessOk(await services.credentials.rotate(id(options, 'credential'), given)));
    },
  },
  'credentials revoke': {
    options: { credential: text },
    async run({ options, services, print }) {
      const revoked = refusedUnlessOk(await services.credentials.revoke(id(options, 'credential')));
      print(`credential ${revoked.credentialId} revoked: ${revoked.kind} ${revoked.identifier} of endpoint ${revoked.endpointId}`);
    },
  },
  'credentials list': {
    options: { endpoint: text },
    async run({ options, services, print }) {
      const credentials = refusedUnlessOk(await services.credentials.list(id(options, 'endpoint')));
      table(
        print,
        ['id', 'kind', 'identifier', 'allowed sources', 'state'],
        credentials.map((c) => [
          String(c.credentialId),
          c.kind,
          c.identifier,
          c.allowedCidrs.join(' ') || 'any',
          c.revokedAt ? `revoked ${c.revokedAt.toISOString()}` : c.rotatedAt ? `rotated ${c.rotatedAt.toISOString()}` : 'live',
        ]),
      );
    },
  },
  'products add': {
    options: { merchant: text, name: text, id: text },
    async run({ options, services, print }) {
      const productId = options.id === undefined ? undefined : id(options, 'id');
      const product = refusedUnlessOk(await services.products.addProduct({ productId, merchantId: id(options, 'merchant'), name: required(options, 'name') }));
      print(`product ${product.productId} added for merchant ${product.merchantId}`);
    },
  },
  'products list': {
    options: { merchant: text },
    async run({ options, services, print }) {
      const products = refusedUnlessOk(await services.products.listProducts(id(options, 'merchant')));
      const rows = products.flatMap((p) => (p.plans.length === 0 ? [[String(p.productId), p.name, '-', '-']] : p.plans.map((plan) => [String(p.productId), p.name, String(plan.planId), describePlan(plan)])));
      table(print, ['product', 'name', 'plan', 'price'], rows);
    },
  },
  'plans add': {
    options: { product: text, 'amount-minor': text, currency: text, once: flag, every: text, 'trial-days': text, id: text },
    positionals: 1,
    async run({ options, positionals, services, print }) {
      const plan = refusedUnlessOk(
        await services.products.addPlan({
          planId: options.id === undefined ? undefined : id(options, 'id'),
          productId: id(options, 'product'),
          amountMinor: BigInt(id(options, 'amount-minor')),
          currency: required(options, 'currency'),
          billing: billingOf(options, positionals),
        }),
      );
      print(`plan ${plan.planId} added to product ${plan.productId}: ${describePlan(plan)}`);
    },
  },
};

function parse(options: OptionSpec, argv: readonly string[]): { values: Options; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    for (const value of Object.values(values).flat()) {
      if (typeof value === 'string' && value.length > MAX_OPTION_CHARS) throw new UsageError(`an option is longer than ${MAX_OPTION_CHARS} characters`);
    }
    return { values: values as Options, positionals };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // parseArgs words some errors as several sentences on several lines: they are one error.
    throw new UsageError((error as Error).message.split(/\r?\n/).join(' '));
  }
}

function printIssued(print: Print, verb: string, issued: IssuedCredential): void {
  print(`credential ${issued.credentialId} ${verb}: ${issued.kind} for endpoint ${issued.endpointId}, identifier ${issued.identifier}`);
  for (const [name, value] of Object.entries(issued.secrets)) print(`${name}: ${value}`);
  print('The secret is shown this once: OpenDCB keeps only a hash of it.');
}

function describePlan(plan: PricePlan): string {
  const price = `${formatMinor(plan.amountMinor, plan.currency)} ${plan.currency}`;
  if (plan.billing.kind === 'once') return `${price} once`;
  const { period, trialDays } = plan.billing;
  const every = period.count === 1 ? period.unit : `${period.count} ${period.unit}s`;
  return `${price} every ${every}${trialDays > 0 ? `, ${trialDays}-day free trial` : ''}`;
}

function billingOf(options: Options, positionals: string[]): Billing {
  const once = options.once === true;
  const every = optional(options, 'every');
  if (once === (every !== undefined)) throw new UsageError('give either --once or --every <n> <day|week|month>');
  if (once) {
    if (options['trial-days'] !== undefined) throw new UsageError('--trial-days is for recurring plans (--every)');
    return { kind: 'once' };
  }
  const unit = positionals[0];
  if (!isPeriodUnit(unit)) throw new UsageError(`--every <n> needs a unit after it: ${PERIOD_UNITS.join(', ')}`);
  const count = strictInteger('every', every ?? '');
  const trialDays = options['trial-days'] === undefined ? 0 : strictInteger('trial-days', required(options, 'trial-days'), 0);
  return { kind: 'recurring', period: { unit, count }, trialDays };
}

function isPeriodUnit(text: string | undefined): text is PeriodUnit {
  return (PERIOD_UNITS as readonly (string | undefined)[]).includes(text);
}

function credentialKind(text: string): CredentialKind {
  if (!isCredentialKind(text)) throw new UsageError(`--kind ${text} is not a credential kind: basic, password, shared-secret, oauth2-client or api-key`);
  return text;
}

function required(options: Options, name: string): string {
  const value = options[name];
  if (typeof value !== 'string') throw new UsageError(`--${name} is required`);
  return value;
}

function optional(options: Options, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

function list(options: Options, name: string): string[] {
  const value = options[name];
  return Array.isArray(value) ? value : [];
}

function id(options: Options, name: string): number {
  return strictInteger(name, required(options, name));
}

/** Digits only: "1e3", "0x10", " 7", "1.0" and "-1" are usage errors, not numbers. */
function strictInteger(name: string, text: string, min = 1): number {
  const value = /^(0|[1-9]\d{0,14})$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) throw new UsageError(`--${name} must be an integer of at least ${min}, written in digits: ${text}`);
  return value;
}

function pairs(options: Options, name: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of list(options, name)) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--${name} must be <name>=<value>: ${pair}`);
    const key = pair.slice(0, at);
    if (Object.hasOwn(result, key)) throw new UsageError(`--${name} ${key} given twice`);
    result[key] = pair.slice(at + 1);
  }
  return result;
}

function jsonOption(options: Options, name: string): unknown {
  const textValue = optional(options, name);
  if (textValue === undefined) return {};
  try {
    return JSON.parse(textValue) as unknown;
  } catch (error) {
    throw new UsageError(`--${name} is not JSON: ${(error as Error).message}`);
  }
}

function describeRouteError(error: RouteError): string {
  switch (error.kind) {
    case 'short_code_invalid':
      return '--short-code must be 3 to 16 digits';
    case 'keyword_invalid':
      return `--keyword must be letters and digits, at most ${error.maxChars}`;
    case 'route_taken':
      return `${error.keyword === '' ? 'the default route' : error.keyword} of ${error.shortCode} is routed already`;
    case 'unknown_endpoint':
      return `no endpoint ${error.endpointId}`;
  }
}

function refusedUnlessOk<T>(result: Result<T, AccountsError>): T {
  if (!result.ok) throw new RefusedError(describeError(result.error));
  return result.value;
}
