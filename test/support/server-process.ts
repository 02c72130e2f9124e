import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const RUN_TIMEOUT_MS = 30_000;

export interface ServerProcess {
  baseUrl: string;
  child: ChildProcess;
  /** Everything it has written to stdout and stderr so far. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

const READY = {
  serve: /"address":"(http:\/\/[^"]+)"[^\n]*"msg":"OpenDCB listening"/,
  worker: /"msg":"OpenDCB worker (running)"/,
} as const;

/**
 * Starts `opendcb serve` (on a free port) or `opendcb worker` as its own process and waits
 * until it is ready. A worker has no baseUrl.
 */
export async function startServerProcess(env: Record<string, string>, command: keyof typeof READY = 'serve'): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CLI, command], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const baseUrl = await new Promise<string>((resolve, reject) => {
    // A server that did not start in time is killed, and the test fails only once it is gone:
    // left running, it kept the data directory the test then removed, and the suite hung on it.
    const timer = setTimeout(() => {
      child.removeAllListeners('exit');
      child.once('exit', () => reject(new Error(`server did not start in ${START_TIMEOUT_MS} ms:\n${output}`)));
      child.kill('SIGKILL');
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = READY[command].exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(command === 'serve' ? match[1] : '');
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    baseUrl,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

export interface FinishedProcess {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Runs an `opendcb` command to its end (killed after timeoutMs) and reports how it ended. */
export async function runToExit(args: string[], env: Record<string, string>, timeoutMs = RUN_TIMEOUT_MS, stdin?: string): Promise<FinishedProcess> {
  const startedAt = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: '', LOG_LEVEL: 'info', ...env },
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  child.stdin?.end(stdin);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr, elapsedMs: Date.now() - startedAt };
}
