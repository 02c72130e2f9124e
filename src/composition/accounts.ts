import type { Kysely } from 'kysely';
import { AccountsService } from '../core/merchants/accounts.js';
import { CredentialService } from '../core/merchants/credentials.js';
import { InboundMessages } from '../core/messaging/inbound.js';
import { OutboxDispatcher } from '../core/outbox/service.js';
import { ProductService } from '../core/products/service.js';
import { endpointKindCatalog } from './endpoint-kinds.js';
import type { Clock } from '../kernel/clock.js';
import type { Schema } from '../storage/schema.js';
import { SqlAccountsRepository } from '../storage/repositories/accounts.js';
import { SqlInboundStore } from '../storage/repositories/inbound-messages.js';
import { SqlOutboxRepository } from '../storage/repositories/outbox.js';
import { SqlProductRepository } from '../storage/repositories/products.js';

/** Merchants, endpoints, credentials, products and MO routes: what the operator CLI and the seed use; and the outbox's dead letters. */
export interface Accounts {
  accounts: AccountsService;
  credentials: CredentialService;
  products: ProductService;
  /** Only its dead letters are read and sent again here: no handler is registered, nothing is delivered. */
  outbox: Pick<OutboxDispatcher, 'deadLetters' | 'resend'>;
  /** The short codes and keywords routed to endpoints. */
  routes: Pick<InboundMessages, 'addRoute' | 'routes'>;
}

export function composeAccounts(db: Kysely<Schema>, clock: Clock): Accounts {
  const repository = new SqlAccountsRepository(db);
  const kinds = endpointKindCatalog();
  return {
    accounts: new AccountsService(repository, kinds, clock),
    credentials: new CredentialService({ repository, kinds, clock }),
    products: new ProductService(new SqlProductRepository(db), clock),
    outbox: new OutboxDispatcher(new SqlOutboxRepository(db), clock),
    routes: new InboundMessages({ store: new SqlInboundStore(db), clock }),
  };
}
