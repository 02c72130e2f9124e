// A/B rounds: the baseline build and this tree's build serve Pay in alternation (odd rounds the
// baseline first, even rounds this tree first), each on a fresh database of the same cluster,
// so drift on a noisy host (other work, thermal, the cluster's own growth) falls on both sides.
// Each round also runs pgbench -N for as long as a Pay run (first in odd rounds, last in even
// ones), so each Pay run is paired with the database's own figures from the same weather.
// The ratios are medians over rounds.
import { median, round } from './numbers.js';
import type { Baseline } from './baseline.js';
import type { PgbenchFigures } from './pgbench.js';
import { CURRENT, type Database, type PayFigures, type Server } from './servers.js';
import { AB_ROUNDS } from './settings.js';

export interface AbRound {
  round: number;
  first: string;
  pgbench?: PgbenchFigures;
  postgres?: { baseline: PayFigures; current: PayFigures };
  pglite?: { baseline: PayFigures; current: PayFigures };
}

/** The three figures for one build, each the median over rounds. */
export interface AbGoals {
  /** Pay(PostgreSQL) pay/s over the same round's pgbench -N TPS. */
  payVsPgbench: number | undefined;
  /** Pay(PostgreSQL) p99 over the same round's pgbench -N p99. */
  p99VsPgbench: number | undefined;
  pglitePerSecond: number | undefined;
}

export interface AbReport {
  baseline: string;
  rounds: AbRound[];
  /** current / baseline, the median over rounds; undefined when that database was skipped. */
  ratios: Record<'postgresPerSecond' | 'postgresP99' | 'pglitePerSecond' | 'pgliteP99', number | undefined>;
  goals: { baseline: AbGoals; current: AbGoals };
}

/** Runs one Pay measurement of `server` on `database`; the caller supplies fresh storage. */
export type MeasurePay = (database: Database, server: Server, label: string) => Promise<PayFigures | undefined>;
export type MeasurePgbench = () => Promise<PgbenchFigures | undefined>;

export async function measureAb(baseline: Baseline, measure: MeasurePay, pgbench: MeasurePgbench): Promise<AbReport> {
  const old: Server = { name: `baseline ${baseline.revision}`, cli: baseline.cli };
  const rounds: AbRound[] = [];
  for (let n = 1; n <= AB_ROUNDS; n++) {
    const odd = n % 2 === 1;
    const order = odd ? [old, CURRENT] : [CURRENT, old];
    const entry: AbRound = { round: n, first: order[0]?.name ?? '' };
    const measurePgbench = async () => {
      const figures = await pgbench();
      if (figures) entry.pgbench = figures;
    };
    if (odd) await measurePgbench();
    for (const database of ['postgres', 'pglite'] as const) {
      const figures = new Map<Server, PayFigures | undefined>();
      for (const server of order) figures.set(server, await measure(database, server, `ab${n}_${server === old ? 'base' : 'cur'}`));
      const [b, c] = [figures.get(old), figures.get(CURRENT)];
      if (b && c) entry[database] = { baseline: b, current: c };
      if (!odd && database === 'postgres') await measurePgbench();
    }
    rounds.push(entry);
  }
  return { baseline: baseline.revision, rounds, ratios: ratios(rounds), goals: { baseline: goals(rounds, 'baseline'), current: goals(rounds, 'current') } };
}

function ratios(rounds: AbRound[]): AbReport['ratios'] {
  const of = (database: Database, pick: (f: PayFigures) => number) =>
    roundedMedian(rounds.flatMap((r) => (r[database] ? [pick(r[database].current) / pick(r[database].baseline)] : [])));
  return {
    postgresPerSecond: of('postgres', (f) => f.perSecond),
    postgresP99: of('postgres', (f) => f.latencyMs.p99),
    pglitePerSecond: of('pglite', (f) => f.perSecond),
    pgliteP99: of('pglite', (f) => f.latencyMs.p99),
  };
}

function goals(rounds: AbRound[], side: 'baseline' | 'current'): AbGoals {
  const vsPgbench = (pick: (pay: PayFigures, pgbench: PgbenchFigures) => number) =>
    roundedMedian(rounds.flatMap((r) => (r.postgres && r.pgbench ? [pick(r.postgres[side], r.pgbench)] : [])));
  const pglite = roundedMedian(rounds.flatMap((r) => (r.pglite ? [r.pglite[side].perSecond] : [])));
  return {
    payVsPgbench: vsPgbench((pay, pgbench) => pay.perSecond / pgbench.tps),
    p99VsPgbench: vsPgbench((pay, pgbench) => pay.latencyMs.p99 / pgbench.latencyMs.p99),
    pglitePerSecond: pglite === undefined ? undefined : Math.round(pglite),
  };
}

/** A median over rounds, to the precision the report prints. */
function roundedMedian(values: number[]): number | undefined {
  const value = median(values);
  return value === undefined ? undefined : round(value, 3);
}

/** This tree's run with the median throughput, which stands for it in the main table. */
export function medianCurrent(ab: AbReport, database: Database): PayFigures | undefined {
  const runs = ab.rounds.flatMap((r) => (r[database] ? [r[database].current] : [])).sort((a, b) => a.perSecond - b.perSecond);
  return runs[Math.floor((runs.length - 1) / 2)];
}

/** The round's pgbench run with the median TPS, which stands for pgbench in the main table. */
export function medianPgbench(ab: AbReport): PgbenchFigures | undefined {
  const runs = ab.rounds.flatMap((r) => (r.pgbench ? [r.pgbench] : [])).sort((a, b) => a.tps - b.tps);
  return runs[Math.floor((runs.length - 1) / 2)];
}

export function printAb(ab: AbReport): void {
  console.log(`\nA/B against ${ab.baseline} (${ab.rounds.length} rounds, alternating which goes first)`);
  for (const r of ab.rounds) {
    const pgbench = r.pgbench;
    if (pgbench) console.log(`  round ${r.round} pgbench  ${pgbench.tps} TPS p99 ${pgbench.latencyMs.p99} ms`);
    for (const database of ['postgres', 'pglite'] as const) {
      const pair = r[database];
      if (!pair) continue;
      const vs = (f: PayFigures) =>
        database === 'postgres' && pgbench
          ? ` (${round(f.perSecond / pgbench.tps, 2)} of pgbench, p99 ×${round(f.latencyMs.p99 / pgbench.latencyMs.p99, 2)})`
          : '';
      const show = (f: PayFigures) => `${f.perSecond} pay/s p99 ${f.latencyMs.p99} ms${vs(f)}`;
      const ratio = round(pair.current.perSecond / pair.baseline.perSecond, 2);
      console.log(`  round ${r.round} ${database.padEnd(8)} baseline ${show(pair.baseline)} · current ${show(pair.current)} · ratio ${ratio}`);
    }
  }
  const { postgresPerSecond, postgresP99, pglitePerSecond, pgliteP99 } = ab.ratios;
  console.log(`current / baseline (median)  PostgreSQL ${postgresPerSecond ?? 'n/a'} throughput, ${postgresP99 ?? 'n/a'} p99`);
  console.log(`                             PGlite     ${pglitePerSecond ?? 'n/a'} throughput, ${pgliteP99 ?? 'n/a'} p99`);
}
