import { createHash } from 'node:crypto';
import { type Cidr, cidrsContain, formatCidr, MAX_CIDRS, parseCidr } from '../../kernel/cidr.js';
import type { Clock } from '../../kernel/clock.js';
import { err, ok, type Result } from '../../kernel/result.js';
import { hashGeneratedSecret, hashSecret, randomId, randomSecret, verifyStoredSecret } from '../../kernel/secrets.js';
import { type AccountsError, MAX_LIST_ROWS } from './accounts.js';
import type { AccountsRepository, EndpointKindCatalog, StoredSecret } from './accounts-ports.js';
import type { CredentialKind, CredentialSummary, Endpoint, IssuedCredential } from './accounts-types.js';

const MAX_IDENTIFIER_CHARS = 100;
const MIN_GIVEN_SECRET_CHARS = 8;
const MAX_SECRET_CHARS = 200;
const API_KEY_ID_CHARS = 16;
/** The distinct source ranges of one credential kind read to judge a refusal (decision 35); more are not told apart. */
const MAX_ALLOWED_RANGES = 10_000;
const CLIENT_ID_CHARS = 16;
/** sk_<16 base32>_<43 base64url>: the id part finds the row, the rest is compared. */
const API_KEY = /^sk_([a-z2-7]{16})_([A-Za-z0-9_-]{43})$/;
// Verifying against one of these when a check fails before the secret (an unknown identifier,
// a source outside the allow-list) costs what verifying the stored secret costs, so the time
// of an answer does not tell which identifiers exist. Each kind's dummy is of the form its
// secrets are stored in: an API key's (SHA-256) must not cost an scrypt, or every made-up key
// would cost the server 15 ms of CPU and answer measurably slower than a real key id.
const UNKNOWN_IDENTIFIER_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
const UNKNOWN_API_KEY_HASH = `sha256$${'0'.repeat(64)}`;

export interface IssueRequest {
  readonly endpointId: number;
  readonly kind: CredentialKind;
  /** Username or OAuth2 client id; generated for OAuth2 clients when absent; never given for API keys. */
  readonly identifier?: string | undefined;
  /** The password or client secret, when the merchant's existing one is kept; generated when absent. */
  readonly secret?: string | undefined;
  /** The shared secret of a shared-secret credential; generated when absent. */
  readonly sharedSecret?: string | undefined;
  /** Source ranges requests must come from: required for password credentials, refused for basic. */
  readonly allowedCidrs?: readonly string[] | undefined;
}

/** Why a presented credential was refused; each facade words these in its own errors. */
export type CredentialFailure =
  | { readonly kind: 'malformed' }
  /**
   * No live credential has the identifier (unknown, or revoked), or the one that has it
   * may not be used from this source while another credential of the kind may.
   */
  | { readonly kind: 'unknown-identifier' }
  | { readonly kind: 'wrong-secret' }
  /** No live credential of the kind may be used from this source: said whatever the identifier, so it tells nothing about it. */
  | { readonly kind: 'source-not-allowed' };

type Verified = Result<Endpoint, CredentialFailure>;

/** Issues, rotates and revokes credentials, and verifies the kinds the login path does not (decision 35). */
export class CredentialService {
  constructor(
    private readonly deps: {
      repository: AccountsRepository;
      kinds: EndpointKindCatalog;
      clock: Clock;
      /** Compares a presented secret with a stored hash; kernel/secrets' by default (tests count the calls). */
      verifySecret?: (secret: string, stored: string) => Promise<boolean>;
    },
  ) {}

  async issue(request: IssueRequest): Promise<Result<IssuedCredential, AccountsError>> {
    const endpoint = await this.deps.repository.findEndpoint(request.endpointId);
    if (!endpoint) return err({ kind: 'unknown-endpoint', endpointId: request.endpointId });
    const accepted = this.deps.kinds.credentialKinds(endpoint.kind);
    if (!accepted.includes(request.kind)) return err({ kind: 'credential-kind-not-accepted', credentialKind: request.kind, accepted });
    const identifier = identifierFor(request);
    if (!identifier.ok) return identifier;
    const cidrs = cidrsFor(request.kind, request.allowedCidrs ?? []);
    if (!cidrs.ok) return cidrs;
    const secrets = await secretsFor(request.kind, identifier.value, request);
    if (!secrets.ok) return secrets;
    const credentialId = await this.deps.repository.addCredential({
      endpointId: endpoint.endpointId,
      kind: request.kind,
      identifier: identifier.value,
      secretHash: secrets.value.hash,
      allowedCidrs: cidrs.value,
    }, this.deps.clock.now());
    if (credentialId === 'taken') return err({ kind: 'identifier-taken', identifier: identifier.value });
    return ok({ credentialId, endpointId: endpoint.endpointId, kind: request.kind, identifier: identifier.value, secrets: secrets.value.shown });
  }

  /**
   * Gives a live credential a new secret (or the one given); the old secret stops working
   * at once. The credential keeps its id, identifier and allow-list.
   */
  async rotate(credentialId: number, given: { secret?: string; sharedSecret?: string } = {}): Promise<Result<IssuedCredential, AccountsError>> {
    const current = await this.deps.repository.findCredentialById(credentialId);
    if (!current) return err({ kind: 'unknown-credential', credentialId });
    if (current.revokedAt !== null) return err({ kind: 'credential-revoked', credentialId });
    const secrets = await secretsFor(current.kind, current.identifier, given);
    if (!secrets.ok) return secrets;
    if (!(await this.deps.repository.replaceSecret(credentialId, secrets.value.hash, this.deps.clock.now()))) {
      return err({ kind: 'credential-revoked', credentialId });
    }
    return ok({ credentialId, endpointId: current.endpointId, kind: current.kind, identifier: current.identifier, secrets: secrets.value.shown });
  }

  async revoke(credentialId: number): Promise<Result<CredentialSummary, AccountsError>> {
    const current = await this.deps.repository.findCredentialById(credentialId);
    if (!current) return err({ kind: 'unknown-credential', credentialId });
    const at = this.deps.clock.now();
    if (current.revokedAt !== null || !(await this.deps.repository.revoke(credentialId, at))) return err({ kind: 'credential-revoked', credentialId });
    return ok({ ...current, revokedAt: at });
  }

  async list(endpointId: number): Promise<Result<CredentialSummary[], AccountsError>> {
    if (!(await this.deps.repository.findEndpoint(endpointId))) return err({ kind: 'unknown-endpoint', endpointId });
    return ok(await this.deps.repository.listCredentials(endpointId, MAX_LIST_ROWS));
  }

  /** HTTP Basic within an endpoint, without the login path's cache and throttle (those are PasswordAuthenticator's). */
  verifyBasic(endpointId: number, username: string, password: string): Promise<Verified> {
    return this.#verify('basic', username, password, endpointId, null);
  }

  /** Username and password parameters, from a source inside the credential's allow-list. */
  verifyPassword(username: string, password: string, sourceAddress: string): Promise<Verified> {
    return this.#verify('password', username, password, null, sourceAddress);
  }

  /** A username and the MD5 digest of password + shared secret, as 32 hex digits or .NET's dashed upper-case form. */
  async verifyDigest(username: string, md5Hash: string, sourceAddress: string): Promise<Verified> {
    const digest = md5Hash.replaceAll('-', '').toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(digest)) return err({ kind: 'malformed' });
    return this.#verify('shared-secret', username, digest, null, sourceAddress);
  }

  verifyClient(clientId: string, clientSecret: string, sourceAddress: string): Promise<Verified> {
    return this.#verify('oauth2-client', clientId, clientSecret, null, sourceAddress);
  }

  async verifyApiKey(apiKey: string, sourceAddress: string): Promise<Verified> {
    const parts = API_KEY.exec(apiKey);
    if (!parts?.[1] || !parts[2]) return err({ kind: 'malformed' });
    return this.#verify('api-key', parts[1], parts[2], null, sourceAddress);
  }

  async #verify(kind: CredentialKind, identifier: string, secret: string, endpointId: number | null, source: string | null): Promise<Verified> {
    if (!wellFormed(identifier) || secret.length === 0 || secret.length > MAX_SECRET_CHARS) return err({ kind: 'malformed' });
    const verify = this.deps.verifySecret ?? verifyStoredSecret;
    const dummy = kind === 'api-key' ? UNKNOWN_API_KEY_HASH : UNKNOWN_IDENTIFIER_HASH;
    const stored = await this.deps.repository.findLiveSecret(kind, identifier, endpointId);
    // The source is judged before the secret, so a source outside the list learns nothing
    // about the secret; but hashed all the same, or a quick refusal would tell it that the
    // identifier exists.
    if (!stored || !sourceAllowed(stored, source)) {
      await verify(secret, dummy);
      return err(await this.#unknownOrUnlisted(kind, source));
    }
    if (!(await verify(secret, stored.secretHash))) {
      // Looked up on this path too, so that it takes as long as the other refusals.
      await this.#unknownOrUnlisted(kind, source);
      return err({ kind: 'wrong-secret' });
    }
    return ok(stored.endpoint);
  }

  /**
   * An unknown identifier and a known one used from outside its allow-list are refused
   * alike, by the source alone, or the refusal would tell a guesser which identifiers exist:
   * 'source-not-allowed' when no live credential of the kind may be used from the source,
   * 'unknown-identifier' when one may (or when none is live, or there are too many ranges to tell).
   */
  async #unknownOrUnlisted(kind: CredentialKind, source: string | null): Promise<CredentialFailure> {
    if (source === null) return { kind: 'unknown-identifier' };
    const ranges = await this.deps.repository.liveAllowedCidrs(kind, MAX_ALLOWED_RANGES);
    // With no live credential of the kind there is no identifier to tell of.
    if (ranges.length === 0 || ranges.length >= MAX_ALLOWED_RANGES) return { kind: 'unknown-identifier' };
    const cidrs = ranges.map(parseCidr).filter((cidr): cidr is Cidr => cidr !== null);
    return cidrsContain(cidrs, source) ? { kind: 'unknown-identifier' } : { kind: 'source-not-allowed' };
  }
}

function sourceAllowed(stored: StoredSecret, source: string | null): boolean {
  if (stored.allowedCidrs.length === 0) return true;
  const cidrs = stored.allowedCidrs.map(parseCidr).filter((cidr): cidr is Cidr => cidr !== null);
  return source !== null && cidrsContain(cidrs, source);
}

function wellFormed(identifier: string): boolean {
  // Printable ASCII only, no spaces, no colon (HTTP Basic splits at the first one).
  return identifier.length > 0 && identifier.length <= MAX_IDENTIFIER_CHARS && /^[\x21-\x39\x3b-\x7e]+$/.test(identifier);
}

function identifierFor(request: IssueRequest): Result<string, AccountsError> {
  if (request.kind === 'api-key') {
    if (request.identifier !== undefined) return err({ kind: 'invalid-field', field: 'identifier', reason: 'an API key has no identifier of its own: its id is generated' });
    return ok(randomId(API_KEY_ID_CHARS));
  }
  if (request.identifier === undefined) {
    if (request.kind === 'oauth2-client') return ok(`client_${randomId(CLIENT_ID_CHARS)}`);
    return err({ kind: 'invalid-field', field: 'identifier', reason: `a ${request.kind} credential needs a username` });
  }
  if (!wellFormed(request.identifier)) {
    return err({ kind: 'invalid-field', field: 'identifier', reason: `must be 1-${MAX_IDENTIFIER_CHARS} printable ASCII characters without spaces or ':'` });
  }
  return ok(request.identifier);
}

function cidrsFor(kind: CredentialKind, texts: readonly string[]): Result<string[], AccountsError> {
  if (kind === 'basic' && texts.length > 0) {
    return err({ kind: 'invalid-field', field: 'allowed CIDRs', reason: 'HTTP Basic credentials are throttled per source instead of allow-listed' });
  }
  if (kind === 'password' && texts.length === 0) {
    return err({ kind: 'invalid-field', field: 'allowed CIDRs', reason: 'a password credential needs at least one source range (0.0.0.0/0 and ::/0 allow any)' });
  }
  if (texts.length > MAX_CIDRS) return err({ kind: 'invalid-field', field: 'allowed CIDRs', reason: `at most ${MAX_CIDRS}` });
  const cidrs: string[] = [];
  for (const text of texts) {
    const cidr = parseCidr(text);
    if (!cidr) return err({ kind: 'invalid-field', field: 'allowed CIDRs', reason: `${text} is not an address range (e.g. 192.0.2.0/24, 2001:db8::/32) with its host bits zero` });
    cidrs.push(formatCidr(cidr));
  }
  return ok(cidrs);
}

interface Secrets {
  readonly hash: string;
  readonly shown: Record<string, string>;
}

async function secretsFor(
  kind: CredentialKind,
  identifier: string,
  given: { secret?: string | undefined; sharedSecret?: string | undefined },
): Promise<Result<Secrets, AccountsError>> {
  for (const [field, value] of [['secret', given.secret], ['shared secret', given.sharedSecret]] as const) {
    if (value !== undefined && (value.length < MIN_GIVEN_SECRET_CHARS || value.length > MAX_SECRET_CHARS)) {
      return err({ kind: 'invalid-field', field, reason: `must be ${MIN_GIVEN_SECRET_CHARS}-${MAX_SECRET_CHARS} characters` });
    }
  }
  if (kind !== 'shared-secret' && given.sharedSecret !== undefined) return err({ kind: 'invalid-field', field: 'shared secret', reason: `a ${kind} credential has none` });
  switch (kind) {
    case 'api-key': {
      if (given.secret !== undefined) return err({ kind: 'invalid-field', field: 'secret', reason: 'API keys are always generated' });
      const secret = randomSecret();
      return ok({ hash: hashGeneratedSecret(secret), shown: { apiKey: `sk_${identifier}_${secret}` } });
    }
    case 'shared-secret': {
      const password = given.secret ?? randomSecret(18);
      const sharedSecret = given.sharedSecret ?? randomSecret(18);
      // The client sends MD5(password + secret) and nothing of the request is in it, so the
      // digest is what is verified; only its scrypt hash is kept (decision 35).
      const md5Hash = createHash('md5').update(`${password}${sharedSecret}`, 'utf8').digest('hex');
      return ok({ hash: await hashSecret(md5Hash), shown: { password, sharedSecret, md5Hash } });
    }
    default: {
      const secret = given.secret ?? randomSecret(18);
      return ok({ hash: await hashSecret(secret), shown: { [kind === 'oauth2-client' ? 'clientSecret' : 'password']: secret } });
    }
  }
}
