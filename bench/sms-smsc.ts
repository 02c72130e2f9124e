// The benchmark's SMSC in its own process (so it does not share the ESME's event loop):
// `node dist/bench/sms-smsc.js [receipts]` prints `PORT <n>` once it listens.
import { TestSmsc } from '../test/support/smsc.js';

const smsc = new TestSmsc({ receipts: process.argv.includes('receipts') });
const port = await smsc.listen();
process.stdout.write(`PORT ${port}\n`);
process.on('SIGTERM', () => {
  void smsc.close().then(() => process.exit(0));
});
