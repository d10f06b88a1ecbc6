// `npm run bench [filter]`: runs every test/bench/*.bench.ts (default export: async (bench factory) => void).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createBench } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();

console.log(`# Tapdesk benchmarks — node ${process.version}, ${new Date().toISOString()}`);
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as {
    default: (bench: typeof createBench) => Promise<void> | void;
  };
  await mod.default(createBench);
}
