/**
 * `<dataDir>/endpoint.json` tells local programs (the CLI) where the running core listens and with
 * which token. Owner-only permissions; removed on clean shutdown; a stale file (dead pid) is ignored.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const Endpoint = z.object({ wsUrl: z.string(), url: z.string().nullable(), token: z.string(), pid: z.number().int() });
export type Endpoint = z.infer<typeof Endpoint>;

const fileOf = (dataDir: string) => join(dataDir, 'endpoint.json');

export function writeEndpoint(dataDir: string, endpoint: Endpoint): void {
  writeFileSync(fileOf(dataDir), JSON.stringify(endpoint), { mode: 0o600 });
}

export function removeEndpoint(dataDir: string, pid = process.pid): void {
  if (readEndpoint(dataDir)?.pid === pid) rmSync(fileOf(dataDir), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The endpoint of a core that is running now, or null. */
export function readEndpoint(dataDir: string): Endpoint | null {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(fileOf(dataDir), 'utf8'));
  } catch {
    return null;
  }
  const parsed = Endpoint.safeParse(json);
  return parsed.success && alive(parsed.data.pid) ? parsed.data : null;
}
