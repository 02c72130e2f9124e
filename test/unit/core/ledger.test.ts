import { describe } from 'node:test';
import { InMemoryLedger } from '../../support/fakes/ledger.js';
import { ledgerContract } from '../../support/ledger-contract.js';

describe('ledger rules on the in-memory fake', () => {
  const store = new InMemoryLedger();
  ledgerContract(() => store);
});
