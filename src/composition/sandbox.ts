import type { Config } from '../config.js';
import { SandboxHandsets } from '../connectors/sandbox/confirmations.js';
import { SandboxNetwork } from '../connectors/sandbox/network.js';
import type { Clock } from '../kernel/clock.js';
import type { Database } from '../storage/db.js';
import { SqlSandboxMessages } from '../storage/repositories/sandbox-messages.js';
import { SqlSandboxPrepaidStore } from '../storage/repositories/sandbox-prepaid.js';

/** The simulated carrier network: the carrier, its handsets (prompts), their SMS inboxes (its SMSC is in the messaging module). */
export interface SandboxModule {
  carrier: SandboxNetwork;
  handsets: SandboxHandsets;
  inbox: SqlSandboxMessages;
}

export function sandboxModule(deps: { config: Config; db: Database; clock: Clock }): SandboxModule {
  // The only carrier there is: refuse to start rather than run without one.
  if (!deps.config.sandbox) throw new Error('SANDBOX=false needs a real operator connector; none is configured yet');
  const inbox = new SqlSandboxMessages(deps.db.kysely);
  return {
    carrier: new SandboxNetwork(new SqlSandboxPrepaidStore(deps.db.kysely), deps.clock),
    handsets: new SandboxHandsets(),
    inbox,
  };
}
