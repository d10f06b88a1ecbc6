/** Where Tapdesk keeps its files, matching Electron's `app.getPath('userData')` for the name "Tapdesk". */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.TAPDESK_DATA_DIR) return env.TAPDESK_DATA_DIR;
  const home = homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Tapdesk');
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Tapdesk');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Tapdesk');
}

/** The repository (or packaged app) root: the nearest folder up from here whose package.json is Tapdesk's. */
export const appRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tapdesk') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find Tapdesk package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
})();

export const appVersion: string = (JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** The built renderer (vite output). */
export const rendererDir: string = join(appRoot, 'dist', 'renderer');
