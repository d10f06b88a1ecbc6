// Resolves the official protocol vectors. The steering repo's ../shared/vectors is the source of
// truth; test/vectors is a verbatim copy (checked against SHA256SUMS.txt) for clones that stand alone.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const vectorsDir: string = (() => {
  const candidates = [process.env.TAPDESK_VECTORS, join(root, '..', 'shared', 'vectors'), join(root, 'test', 'vectors')];
  for (const dir of candidates) if (dir && existsSync(join(dir, 'SHA256SUMS.txt'))) return dir;
  throw new Error('protocol vectors not found: set TAPDESK_VECTORS or restore test/vectors');
})();

export function vectorText(name: string): string {
  return readFileSync(join(vectorsDir, name), 'utf8');
}

export function vectorJson<T = unknown>(name: string): T {
  return JSON.parse(vectorText(name)) as T;
}
