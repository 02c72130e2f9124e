import type { FastifyPluginAsync } from 'fastify';

export interface HealthOptions {
  /** The database's kind, as the answer names it (pglite, postgres). */
  database: string;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
}

/** GET /healthz: 200 while the database answers, 503 when it does not (for load balancers). */
export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, options) => {
  app.get('/healthz', async (_request, reply) => {
    try {
      await options.ping();
      return { status: 'ok', database: options.database };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: options.database });
    }
  });
};
