import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { assert } from '../../kernel/assert.js';

/** Answers an error Fastify raises before any route is chosen (a URL it cannot decode). */
export type FrameworkErrorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void;

/** More facades than any installation mounts; bounds the linear prefix lookup. */
const MAX_PREFIXES = 32;

/**
 * Fastify reports a URL it cannot decode (FST_ERR_BAD_URL: `%ff%fe`, `%zz`) to the one
 * server-wide `frameworkErrors` option, before routing, so no plugin's error handler sees
 * it; unhandled, Fastify answers with its own JSON body, which echoes the URL. Each facade
 * owns its fault format, so each registers a handler for its prefix here, and the server
 * option hands a framework error to the handler of the longest prefix of the URL (matched
 * case-insensitively, as the routes are). Any other URL gets a plain JSON error without
 * the URL in it.
 */
export class FrameworkErrorRoutes {
  readonly #routes: { prefix: string; handler: FrameworkErrorHandler }[] = [];

  register(prefix: string, handler: FrameworkErrorHandler): void {
    const lowered = prefix.toLowerCase();
    assert(lowered.startsWith('/') && !lowered.endsWith('/'), `a prefix starts with / and does not end with one: ${prefix}`);
    assert(this.#routes.length < MAX_PREFIXES, 'too many framework error prefixes');
    assert(!this.#routes.some((route) => route.prefix === lowered), `prefix registered twice: ${prefix}`);
    this.#routes.push({ prefix: lowered, handler });
    this.#routes.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** The server's `frameworkErrors` option. */
  readonly handle: FrameworkErrorHandler = (error, request, reply) => {
    const path = request.url.toLowerCase();
    const route = this.#routes.find(({ prefix }) => path.startsWith(prefix) && /^([/?]|$)/.test(path.slice(prefix.length)));
    if (route) return route.handler(error, request, reply);
    sendPlainError(error, reply);
  };
}

const PLAIN_MESSAGES: Record<string, string> = {
  FST_ERR_BAD_URL: 'The URL is not validly percent-encoded',
  FST_ERR_MAX_PARAM_LENGTH: 'A URL parameter is too long',
};

function sendPlainError(error: FastifyError, reply: FastifyReply): void {
  const statusCode = error.statusCode ?? 500;
  const body = { error: STATUS_CODES[statusCode] ?? 'Error', code: error.code, message: PLAIN_MESSAGES[error.code] ?? 'The request failed', statusCode };
  reply.code(statusCode).type('application/json; charset=utf-8').send(body);
}
