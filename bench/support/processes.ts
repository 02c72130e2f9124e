// Child processes for the benchmark (servers and pgbench run outside the load generator's event
// loop), their cleanup, free ports and waiting until a server answers.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface Child {
  name: string;
  proc: ChildProcess;
  /** The last 200 lines of stdout and stderr, for error messages. */
  output: string[];
  exited: Promise<number | null>;
}

const children = new Set<Child>();
const cleanups: (() => Promise<void>)[] = [];

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null)));
    proc.once('error', (error) => {
      output.push(String(error));
      resolve(-1);
    });
  });
  const child: Child = { name, proc, output, exited };
  children.add(child);
  void exited.then(() => children.delete(child));
  return child;
}

export async function stopChild(child: Child, graceMs = 15_000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

export async function runToCompletion(name: string, command: string, args: string[]): Promise<string> {
  const child = startChild(name, command, args);
  const code = await child.exited;
  if (code !== 0) throw new Error(`${name} exited with ${code}:\n${child.output.slice(-30).join('\n')}`);
  return child.output.join('\n');
}

/** Registers work for cleanup(); it runs last registered first, after all children are stopped. */
export function onCleanup(work: () => Promise<void>): void {
  cleanups.push(work);
}

export async function cleanup(): Promise<void> {
  for (const child of [...children]) await stopChild(child, 5_000).catch(() => {});
  while (cleanups.length > 0) await cleanups.pop()?.().catch((error: unknown) => console.error('cleanup failed:', error));
}

// Last resort: whatever still runs dies with us.
process.on('exit', () => {
  for (const child of children) child.proc.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Waits until url answers 200 (a health check); fails if the child exits first. */
export async function waitFor(child: Child, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null) throw new Error(`${child.name} exited early:\n${child.output.slice(-30).join('\n')}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  throw new Error(`${child.name} did not answer 200 on ${url} within ${timeoutMs} ms:\n${child.output.slice(-30).join('\n')}`);
}

/** Waits until url answers at all, whatever the status (for servers without a health route). */
export async function waitForAny(child: Child, url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null) throw new Error(`${child.name} exited early:\n${child.output.join('\n')}`);
    if (await fetch(url).then(() => true, () => false)) return;
    await sleep(100);
  }
  throw new Error(`${child.name} did not listen on ${url}`);
}
