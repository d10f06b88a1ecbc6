/**
 * Electron main process: one window, one core. Thin by design — no wallet logic here; it only
 * secures the window, serves the renderer from app://, and brokers the port to the core.
 */
import { app, BrowserWindow, dialog, ipcMain, nativeTheme, net, protocol, session, shell } from 'electron';
import { join, normalize } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startCore, type CoreHost } from './core-host.js';
import { APP_SCHEME, APP_URL, isAppUrl, isTrustedSender, resolveAppPath, windowOptions } from './window-options.js';

const distDir = join(fileURLToPath(import.meta.url), '..', '..');
const rendererDir = join(distDir, 'renderer');
const preloadPath = join(distDir, 'electron', 'preload.cjs');
const coreEntry = join(distDir, 'core', 'host', 'electron-core.js');

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: BrowserWindow | null = null;
  let core: CoreHost | null = null;
  let quitting = false;

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  // Every web contents, present or future: no navigation away, no new windows, no permissions.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // Block explorers and docs open in the user's browser, never inside the app.
      if (/^https:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });

  ipcMain.on('tapdesk:request-port', (event) => {
    const trusted = isTrustedSender(
      { frameUrl: event.senderFrame?.url, isMainFrame: event.senderFrame === event.sender.mainFrame, webContentsId: event.sender.id },
      window?.webContents.id ?? null,
    );
    if (trusted && core) core.connect(event.sender);
  });

  app.whenReady().then(() => {
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    protocol.handle(APP_SCHEME, async (request) => {
      const file = resolveAppPath(request.url, rendererDir, join, normalize);
      if (!file) return new Response('forbidden', { status: 403 });
      const response = await net.fetch(pathToFileURL(file).toString());
      const headers = new Headers(response.headers);
      headers.set('Content-Security-Policy', CSP);
      headers.set('X-Content-Type-Options', 'nosniff');
      return new Response(response.body, { status: response.status, headers });
    });

    const dataDir = process.env.TAPDESK_DATA_DIR ?? app.getPath('userData');
    core = startCore({ modulePath: coreEntry, dataDir, env: { ...process.env, TAPDESK_DATA_DIR: dataDir } });
    core.onExit((code) => {
      if (quitting) return;
      dialog.showErrorBox('Tapdesk core stopped', `The wallet engine exited unexpectedly (code ${code}). Tapdesk will close; your data is safe on disk. Start Tapdesk again.`);
      app.quit();
    });

    window = new BrowserWindow(windowOptions({ preload: preloadPath, dark: nativeTheme.shouldUseDarkColors }));
    window.once('ready-to-show', () => window?.show());
    window.on('closed', () => {
      window = null;
    });
    void window.loadURL(APP_URL);
  });

  app.on('window-all-closed', () => app.quit());

  app.on('before-quit', (event) => {
    if (quitting || !core) return;
    event.preventDefault();
    quitting = true;
    void core.stop().finally(() => app.quit());
  });

}
