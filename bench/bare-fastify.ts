// The reference point for the Pay benchmark: a bare Fastify server with one POST route that
// parses a JSON body and answers a small JSON body. Run as a child process by bench/pay.ts.
import Fastify from 'fastify';

const port = Number(process.env.PORT ?? 0);
const app = Fastify();
let next = 1;
app.post('/pay', async (request) => {
  const body = request.body as { PaymentDetails?: { ClientReference?: string } } | undefined;
  return { ClientReference: body?.PaymentDetails?.ClientReference ?? '', TransactionId: next++ };
});
await app.listen({ port, host: '127.0.0.1' });
console.log('ready');
const stop = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
