import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DestinationStream } from 'pino';
import type { Config } from '../config.js';
import { FrameworkErrorRoutes } from '../facades/shared/framework-errors.js';
import { loggerOptions } from '../logging.js';

const BODY_LIMIT_BYTES = 64 * 1024;
const REQUEST_TIMEOUT_MS = 120_000;

export interface HttpServer {
  http: FastifyInstance;
  /** A URL Fastify cannot decode is answered by the facade that owns its prefix: each facade registers here. */
  frameworkErrors: FrameworkErrorRoutes;
  /** From here on every answer closes its connection (shutdown). */
  closeConnections(): void;
}

/** The Fastify server with the platform's limits; the plugins are registered by the caller. */
export function httpServer(config: Config, options: { logger?: boolean; logStream?: DestinationStream | undefined }): HttpServer {
  const frameworkErrors = new FrameworkErrorRoutes();
  const http = Fastify({
    logger: options.logger === false ? false : loggerOptions(config.logLevel, options.logStream),
    // Per-request log lines cost a tenth of the throughput; metrics count requests instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: trustProxyOption(config.trustProxy),
    requestTimeout: REQUEST_TIMEOUT_MS,
    // The vendor's WCF routes match case-insensitively: /RestV1.svc and /restv1.svc alike.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    frameworkErrors: frameworkErrors.handle,
  }).withTypeProvider<TypeBoxTypeProvider>();
  return { http, frameworkErrors, closeConnections: closingHook(http) };
}

/**
 * Answers given while stopping close their connection: a keep-alive connection left idle
 * after the listener closed would hold the process until its keep-alive timeout. The hook
 * is added before any route, so it sees them all.
 */
function closingHook(http: FastifyInstance): () => void {
  let stopping = false;
  http.addHook('onSend', (_request, reply, payload, done) => {
    if (stopping) reply.header('connection', 'close');
    done(null, payload);
  });
  return () => {
    stopping = true;
  };
}

/** A hop count becomes proxy-addr's function form: the nearest n hops are trusted proxies. */
function trustProxyOption(trust: Config['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust;
  return (_address, hop) => hop < trust;
}

// Why a listen fails, in the operator's terms; other errors pass through as they are.
const LISTEN_FAILURES: Record<string, (port: number, host: string) => string> = {
  EADDRINUSE: (port, host) => `Port ${port} on ${host} is already in use: stop what holds it, or set another PORT (or HOST)`,
  EACCES: (port, host) => `Port ${port} on ${host} needs privileges this process does not have: set a PORT above 1023`,
  EADDRNOTAVAIL: (port, host) => `Cannot listen on port ${port}: HOST ${host} is not an address of this machine`,
  ENOTFOUND: (port, host) => `Cannot listen on port ${port}: HOST ${host} does not resolve`,
};

export async function bind(http: FastifyInstance, port: number, host: string): Promise<string> {
  try {
    return await http.listen({ port, host });
  } catch (error) {
    const describe = LISTEN_FAILURES[(error as NodeJS.ErrnoException).code ?? ''];
    throw describe ? new Error(describe(port, host), { cause: error }) : error;
  }
}
