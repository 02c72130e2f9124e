import type { FastifyInstance, FastifyRequest } from 'fastify';
import { assert } from '../../kernel/assert.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Who the facade's auth hook authenticated (a Strex service, an Infomedia partner, …),
     * null until it has. Declared with decorateRequest in each facade plugin, so every
     * request object has the same shape from the start.
     */
    principal: unknown;
  }
}

/** Declares the request decoration in a facade's encapsulated plugin. */
export function declarePrincipal(app: FastifyInstance): void {
  app.decorateRequest('principal', null);
}

export function setPrincipal<P>(request: FastifyRequest, principal: P): void {
  assert(principal !== null && principal !== undefined, 'a principal is a value');
  request.principal = principal;
}

/**
 * The principal of a request that passed the auth hook. A handler is only ever reached
 * after it, so a missing one is a bug in the binding, not a client's fault.
 */
export function principalOf<P>(request: FastifyRequest): P {
  assert(request.principal !== null, 'the auth hook ran before the handler');
  return request.principal as P;
}
