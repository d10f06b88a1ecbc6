// npm links the bins of dependencies, not the project's own: link `tapdesk` so `npx tapdesk` works here.
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const target = join(root, 'dist', 'core', 'host', 'cli.js');
const binDir = join(root, 'node_modules', '.bin');
if (process.platform !== 'win32' && existsSync(target)) {
  chmodSync(target, 0o755);
  mkdirSync(binDir, { recursive: true });
  const link = join(binDir, 'tapdesk');
  rmSync(link, { force: true });
  symlinkSync('../../dist/core/host/cli.js', link);
}
