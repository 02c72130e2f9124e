// Load runs with autocannon (in this process, so its CPU is the load generator's) and the Strex
// REST Pay requests they send.
import autocannon from 'autocannon';
import { type CoresUsed, coresUsed, sampleCpu } from './cpu.js';
import { round } from './numbers.js';
import { AUTHORIZATION, CONNECTIONS, MSISDN_SPREAD, PRICE_MINOR, SERVICE_CODE, SERVICE_ID } from './settings.js';

export interface LoadFigures {
  seconds: number;
  connections: number;
  completed: number;
  ok: number;
  perSecond: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  errors: number;
  errorRatio: number;
  statusCodes: Record<string, number>;
  errorSamples: string[];
  cores?: CoresUsed;
}

function figures(result: autocannon.Result, errorSamples: string[]): LoadFigures {
  const errors = result.non2xx + result.errors + result.timeouts;
  const attempted = result['2xx'] + errors;
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats)) statusCodes[code] = stats.count;
  return {
    seconds: result.duration,
    connections: result.connections,
    completed: result.latency.totalCount,
    ok: result['2xx'],
    perSecond: round(result['2xx'] / result.duration, 0),
    latencyMs: {
      mean: round(result.latency.mean, 2),
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    errors,
    errorRatio: attempted === 0 ? 1 : errors / attempted,
    statusCodes,
    errorSamples,
  };
}

/**
 * errorSamples: the array the requests' onResponse fills, reported with the figures.
 * amount: a run of that many requests instead of one of `seconds`.
 */
export async function load(url: string, seconds: number, requests: autocannon.Request[], errorSamples: string[] = [], amount?: number): Promise<LoadFigures> {
  const length = amount === undefined ? { duration: seconds } : { amount };
  const startedMs = performance.now();
  const instance = autocannon({ url, connections: CONNECTIONS, timeout: 10, requests, ...length });
  let lastResponseMs = startedMs;
  instance.on('response', () => {
    lastResponseMs = performance.now();
  });
  const result = figures(await instance, errorSamples);
  if (amount === undefined) return result;
  // autocannon ends a run of a number of requests at its next one-second tick, so its duration
  // is whole seconds too long: the run lasted until the last answer.
  const elapsedSeconds = (lastResponseMs - startedMs) / 1000;
  return { ...result, seconds: round(elapsedSeconds, 3), perSecond: round(result.ok / elapsedSeconds, 0) };
}

/** A load run with the cores used during it by serverPid, the PostgreSQL cluster on pgPort and this process; amount as load()'s. */
export async function loadCountingCores(
  url: string,
  seconds: number,
  requests: autocannon.Request[],
  errorSamples: string[],
  serverPid: number | undefined,
  pgPort?: number,
  amount?: number,
): Promise<LoadFigures> {
  const before = sampleCpu(serverPid, pgPort);
  const result = await load(url, seconds, requests, errorSamples, amount);
  // A run of a number of requests ends at autocannon's next tick, an idle tail: the cores are
  // those of the run itself, to its last answer (what was used in the tail is next to nothing).
  result.cores = coresUsed(before, sampleCpu(serverPid, pgPort), amount === undefined ? undefined : result.seconds);
  return result;
}

/** Strex REST Pay requests: every one a new ClientReference, MSISDNs round robin. */
export function payRequests(tag: string, errorSamples: string[]): autocannon.Request[] {
  let next = 0;
  return [
    {
      method: 'POST',
      path: `/RestV1.svc/service/${SERVICE_ID}/pay`,
      headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' },
      setupRequest(request) {
        const i = next++;
        const body = {
          PaymentDetails: {
            Msisdn: `+4741${String(i % MSISDN_SPREAD).padStart(6, '0')}`,
            Price: PRICE_MINOR,
            ServiceCode: SERVICE_CODE,
            ClientReference: `${tag}-${i}`,
            SecurityLevel: 1,
          },
        };
        return { ...request, body: JSON.stringify(body) };
      },
      onResponse(status, body) {
        if ((status < 200 || status >= 300) && errorSamples.length < 5) errorSamples.push(`${status} ${body.slice(0, 300)}`);
      },
    },
  ];
}
