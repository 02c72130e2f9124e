// A process that fires ledger transfers at DATABASE_URL until it is killed: single-phase
// spends, pending holds posted or voided, and linked chains, LOAD_WORKERS at a time, all
// out of a few flagged wallets. It prints "committed N" (transfers created, posted or voided) now and then, so a test knows
// work is landing before it kills the process with SIGKILL.
import { LedgerService } from '../../src/core/ledger/service.js';
import type { TransferRequest } from '../../src/core/ledger/types.js';
import { systemClock } from '../../src/kernel/clock.js';
import { openDatabase } from '../../src/storage/db.js';
import { SqlLedgerStore } from '../../src/storage/repositories/ledger.js';

const WALLETS = 4;
const WORKERS = Number(process.env.LOAD_WORKERS ?? '8');
const REPORT_EVERY = 10;
const RUN = `${process.pid}-${Date.now().toString(36)}`;

const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: 'memory://', poolSize: WORKERS + 2 });
const ledger = new LedgerService(new SqlLedgerStore(db), systemClock);
await ledger.openAccount({ code: 'platform:load:NOK', ownerKind: 'platform', ownerId: 'load', currency: 'NOK', flag: 'none' });
const wallets = Array.from({ length: WALLETS }, (_, i) => `wallet:load-${i}:NOK`);
for (const code of wallets) {
  await ledger.openAccount({ code, ownerKind: 'wallet', ownerId: code, currency: 'NOK', flag: 'debits_must_not_exceed_credits' });
}

process.stdout.write('accounts open\n');

let sequence = 0;
let steps = 0;
let committed = 0;
const nextId = (kind: string) => `load-${RUN}-${kind}-${(sequence += 1)}`;
let picks = 0;
const pick = () => wallets[(picks += 1) % WALLETS] as string;
const move = (debitAccount: string, creditAccount: string, amountMinor: bigint, extra: Partial<TransferRequest> = {}): TransferRequest => ({
  id: nextId('t'), debitAccount, creditAccount, amountMinor, currency: 'NOK', code: 'wallet_transfer', ...extra,
});

/** One money movement; answers how many transfers it created. */
async function step(): Promise<number> {
  const wallet = pick();
  const other = wallets[(picks + 1) % WALLETS] as string;
  const created = (outcomes: readonly { kind: string }[]) => outcomes.filter((o) => o.kind === 'created').length;
  // Its own counter: the ids' sequence advances by one or two per step and could keep
  // skipping the top-ups, draining every wallet.
  steps += 1;
  switch (steps % 4) {
    case 0:
      return created(await ledger.createTransfers([move('platform:load:NOK', wallet, 500n, { code: 'top_up' })]));
    case 1:
      return created(await ledger.createTransfers([move(wallet, 'platform:load:NOK', 70n)]));
    case 2: {
      const hold = move(wallet, 'platform:load:NOK', 90n, { pending: {} });
      const [held] = await ledger.createTransfers([hold]);
      if (held?.kind !== 'created') return 0;
      const resolved = await (sequence % 3 === 0 ? ledger.void(nextId('v'), hold.id) : ledger.post(nextId('p'), hold.id, 60n));
      return resolved.kind === 'posted' || resolved.kind === 'voided' ? 2 : 1;
    }
    default:
      return created(await ledger.createTransfers([move(wallet, other, 40n, { chain: 'c' }), move(other, 'platform:load:NOK', 30n, { chain: 'c' })]));
  }
}

await Promise.all(Array.from({ length: WORKERS }, async () => {
  for (;;) {
    const created = await step();
    const before = committed;
    committed += created;
    if (Math.floor(committed / REPORT_EVERY) > Math.floor(before / REPORT_EVERY)) process.stdout.write(`committed ${committed}\n`);
  }
}));
