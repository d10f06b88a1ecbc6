// Starts `tapdesk serve` as a real process, as a user would, and reads the URL it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningCore {
  url: string;
  dataDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export const cliPath = join(import.meta.dirname, '..', '..', 'dist', 'core', 'host', 'cli.js');

export function tempDataDir(name = 'e2e'): string {
  return mkdtempSync(join(tmpdir(), `tapdesk-${name}-`));
}

export async function startCore(dataDir: string, extraArgs: string[] = []): Promise<RunningCore> {
  const child = spawn(process.execPath, [cliPath, 'serve', '--data', dataDir, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`core did not print its URL in time:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /open: (http:\/\/\S+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`core exited (${code}) before serving:\n${output}`)));
  });
  return {
    url,
    dataDir,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Calls the running core from outside the page, as a script would with `tapdesk call`. */
export async function callCore<T = unknown>(core: RunningCore, method: string, params: object = {}): Promise<T> {
  const child = spawn(process.execPath, [cliPath, 'call', method, JSON.stringify(params), '--data', core.dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`tapdesk call ${method} failed (${code}): ${err}`);
  return JSON.parse(out) as T;
}
