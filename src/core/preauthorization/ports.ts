import type { Msisdn } from '../../kernel/msisdn.js';

/**
 * How the subscriber's consent behind a token was obtained: asked on the handset
 * (prompted), or asserted by the merchant, who says it has the consent by its own
 * means (merchant asserted). Either kind is shown to the subscriber and revocable.
 */
export type ConsentMode = 'prompted' | 'merchant_asserted';

export interface NewAuthorizationToken {
  readonly serviceId: number;
  readonly msisdn: Msisdn;
  readonly tokenHash: string;
  readonly externalReference: string;
  readonly clientTransactionId: string;
  readonly description: string | null;
  readonly consent: ConsentMode;
  readonly createdAt: Date;
}

/** A token as its subscriber sees it (never the token itself), revoked or not. */
export interface ConsentRecord {
  readonly id: number;
  readonly serviceId: number;
  readonly serviceName: string;
  readonly description: string | null;
  readonly consent: ConsentMode;
  readonly issuedAt: Date;
  readonly revokedAt: Date | null;
}

/** PreAuthorize tokens, kept as hashes; every query is scoped by service or by subscriber. */
export interface AuthorizationTokenRepository {
  create(token: NewAuthorizationToken): Promise<void>;
  /** Whether an unrevoked token with this hash belongs to (service, MSISDN). */
  isValid(serviceId: number, msisdn: Msisdn, tokenHash: string): Promise<boolean>;
  revoke(serviceId: number, tokenHash: string, at: Date): Promise<boolean>;
  /** The MSISDN's tokens of every service, revoked ones too, oldest first (at most the latest `limit`). */
  listFor(msisdn: Msisdn, limit: number): Promise<ConsentRecord[]>;
  /** Revokes the token with this id if it is the MSISDN's own and not yet revoked. */
  revokeFor(msisdn: Msisdn, id: number, at: Date): Promise<boolean>;
}
