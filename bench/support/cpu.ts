// CPU accounting from /proc: who used the two cores during a run (the machine is shared, so the
// figures say how much of the CPU the server, PostgreSQL and the load generator really had).
import { readdirSync, readFileSync } from 'node:fs';
import { round } from './numbers.js';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface CpuSample {
  at: number;
  server: number;
  serverSwitches: { voluntary: number; involuntary: number };
  postgres: Map<number, number>;
  generator: number;
  machine: { busy: number; total: number };
}

/** Cores used on average between two samples (1.0 = one core fully busy). */
export interface CoresUsed {
  server: number;
  postgres: number;
  loadGenerator: number;
  /** Everything else on the machine: other people's work, the kernel's own threads. */
  other: number;
  machineBusy: number;
  /** Context switches per second of the server's main thread (the event loop). */
  serverSwitchesPerSecond: { voluntary: number; involuntary: number };
}

/** The fields of /proc/<pid>/stat after the command name; fields[0] is field 3 (state). */
function statFields(pid: number | string): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function procCpuSeconds(pid: number, withChildren = false): number {
  try {
    const fields = statFields(pid);
    // utime = field 14, stime 15, cutime 16, cstime 17.
    const ticks = Number(fields[11]) + Number(fields[12]) + (withChildren ? Number(fields[13]) + Number(fields[14]) : 0);
    return ticks / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function findPostmaster(pids: string[], port: number): number | undefined {
  let postmaster: number | undefined;
  for (const pid of pids) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const p = argv.indexOf('-p');
      if (argv[0]?.endsWith('postgres') && p >= 0 && argv[p + 1] === String(port)) postmaster = Number(pid);
    } catch {
      /* gone */
    }
  }
  return postmaster;
}

/** The postmaster listening on port and its live children (backends, checkpointer, walwriter …). */
function postgresPids(port: number): number[] {
  const all = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  const postmaster = findPostmaster(all, port);
  if (postmaster === undefined) return [];
  const kids = all.filter((pid) => {
    try {
      return Number(statFields(pid)[1]) === postmaster;
    } catch {
      return false;
    }
  });
  return [postmaster, ...kids.map(Number)];
}

function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number) as number[];
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return { busy: busy / TICKS_PER_SECOND, total: (busy + (idle ?? 0) + (iowait ?? 0)) / TICKS_PER_SECOND };
}

/** Context switches of a process's main thread (for Node: the event loop). */
function contextSwitches(pid: number | undefined): { voluntary: number; involuntary: number } {
  if (pid === undefined) return { voluntary: 0, involuntary: 0 };
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { voluntary: field('voluntary_ctxt_switches'), involuntary: field('nonvoluntary_ctxt_switches') };
  } catch {
    return { voluntary: 0, involuntary: 0 };
  }
}

/** CPU seconds so far of each PostgreSQL process; the postmaster's include its exited children. */
function postgresCpuSeconds(pgPort: number | undefined): Map<number, number> {
  const postgres = new Map<number, number>();
  if (pgPort === undefined) return postgres;
  const [postmaster, ...kids] = postgresPids(pgPort);
  if (postmaster !== undefined) postgres.set(postmaster, procCpuSeconds(postmaster, true));
  for (const pid of kids) postgres.set(pid, procCpuSeconds(pid));
  return postgres;
}

/**
 * serverPid: the process under test; pgPort: the PostgreSQL cluster to account for;
 * generatorPid: the load generator when it is not this process (pgbench).
 */
export function sampleCpu(serverPid: number | undefined, pgPort: number | undefined, generatorPid?: number): CpuSample {
  const postgres = postgresCpuSeconds(pgPort);
  const self = process.cpuUsage();
  return {
    at: performance.now(),
    server: serverPid === undefined ? 0 : procCpuSeconds(serverPid),
    serverSwitches: contextSwitches(serverPid),
    postgres,
    generator: generatorPid === undefined ? (self.user + self.system) / 1e6 : procCpuSeconds(generatorPid),
    machine: machineCpu(),
  };
}

/** wallSeconds: the run's own length when it ended before the second sample was taken. */
export function coresUsed(before: CpuSample, after: CpuSample, wallSeconds?: number): CoresUsed {
  const wall = wallSeconds ?? (after.at - before.at) / 1000;
  let pgSeconds = 0;
  // A backend that exited during the run is in the postmaster's cutime with all its life's CPU,
  // what it used before the run too: that part is taken off. One that started counts from 0.
  for (const [pid, seconds] of after.postgres) pgSeconds += seconds - (before.postgres.get(pid) ?? 0);
  for (const [pid, seconds] of before.postgres) if (!after.postgres.has(pid)) pgSeconds -= seconds;
  const server = (after.server - before.server) / wall;
  const postgres = pgSeconds / wall;
  const loadGenerator = (after.generator - before.generator) / wall;
  const machineBusy = (after.machine.busy - before.machine.busy) / wall;
  const perSecond = (from: number, to: number) => round((to - from) / wall, 0);
  return {
    server: round(server, 2),
    postgres: round(postgres, 2),
    loadGenerator: round(loadGenerator, 2),
    other: round(Math.max(0, machineBusy - server - postgres - loadGenerator), 2),
    machineBusy: round(machineBusy, 2),
    serverSwitchesPerSecond: {
      voluntary: perSecond(before.serverSwitches.voluntary, after.serverSwitches.voluntary),
      involuntary: perSecond(before.serverSwitches.involuntary, after.serverSwitches.involuntary),
    },
  };
}
