/**
 * `npm start`: the Electron window on a desktop; web mode (with the URL printed) where Electron
 * cannot run — no display, no Electron binary (it is fetched from GitHub on first use), or no build
 * of the SQLite addon for Electron's ABI. It always says which one it chose and why.
 * Runs under plain Node; starts everything as child processes and imports no core code.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const require = createRequire(join(root, 'package.json'));
const cli = join(root, 'dist', 'core', 'host', 'cli.js');
const passthrough = process.argv.slice(2);

function webMode(reason: string): never {
  console.log(`Starting Tapdesk in web mode: ${reason}.`);
  const child = spawn(process.execPath, [cli, 'serve', ...passthrough], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
  return undefined as never;
}

/** The Electron binary's path, downloading it on first use; null with the reason when impossible. */
function electronBinary(): { path: string } | { reason: string } {
  const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: root,
    encoding: 'utf8',
    timeout: 10 * 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (probe.status === 0 && probe.stdout && existsSync(probe.stdout)) return { path: probe.stdout };
  return { reason: 'the Electron binary is not installed and could not be downloaded' };
}

/**
 * better-sqlite3 in node_modules is built for this Node (tests, CLI, web mode). Electron needs one
 * built for its own ABI: fetch its prebuilt addon (or compile it) into a cache beside it, once.
 */
function electronSqliteBinding(): { path: string } | { reason: string } {
  const electronVersion = (JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }).version;
  const cacheDir = join(root, 'node_modules', '.cache', 'tapdesk', `better-sqlite3-electron-${electronVersion}-${process.platform}-${process.arch}`);
  const binding = join(cacheDir, 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(binding)) return { path: binding };
  console.log(`Preparing the SQLite addon for Electron ${electronVersion} (once)…`);
  const source = join(require.resolve('better-sqlite3/package.json'), '..');
  mkdirSync(cacheDir, { recursive: true });
  cpSync(source, cacheDir, { recursive: true, filter: (src) => !src.includes(join('build', 'Release')) });
  const target = ['--runtime=electron', `--target=${electronVersion}`, `--arch=${process.arch}`];
  const shell = process.platform === 'win32';
  const prebuildInstall = join(root, 'node_modules', 'prebuild-install', 'bin.js');
  const prebuilt = existsSync(prebuildInstall) ? spawnSync(process.execPath, [prebuildInstall, ...target], { cwd: cacheDir, stdio: 'inherit' }) : null;
  if (prebuilt?.status !== 0) {
    const gyp = spawnSync('npx', ['--yes', 'node-gyp', 'rebuild', '--release', ...target.slice(1), '--dist-url=https://electronjs.org/headers'], {
      cwd: cacheDir,
      stdio: 'inherit',
      shell,
    });
    if (gyp.status !== 0) return { reason: `the SQLite addon could not be built for Electron ${electronVersion}` };
  }
  return existsSync(binding) ? { path: binding } : { reason: 'the SQLite addon for Electron was not produced' };
}

if (process.env.TAPDESK_WEB === '1' || passthrough.includes('--web')) {
  webMode('asked for with TAPDESK_WEB=1 / --web');
} else if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  webMode('no graphical display (DISPLAY/WAYLAND_DISPLAY unset)');
} else {
  const binary = electronBinary();
  const sqlite = 'path' in binary ? electronSqliteBinding() : binary;
  if (!('path' in binary)) webMode(binary.reason);
  else if (!('path' in sqlite)) webMode(sqlite.reason);
  else {
    const child = spawn(binary.path, [root, ...passthrough], {
      stdio: 'inherit',
      env: { ...process.env, TAPDESK_SQLITE_BINDING: sqlite.path },
    });
    child.on('exit', (code) => process.exit(code ?? 0));
  }
}
