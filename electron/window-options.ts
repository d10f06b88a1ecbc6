/**
 * The security-relevant decisions of the shell as pure functions, so they are unit-tested:
 * window options, which URLs the window may show, and which IPC senders are ours.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

/** The renderer is served from this privileged custom scheme, never from file:// or the network. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'tapdesk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

export function windowOptions(opts: { preload: string; dark: boolean; iconPath?: string }): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 880,
    minHeight: 600,
    title: 'Tapdesk',
    show: false,
    backgroundColor: opts.dark ? '#111418' : '#f7f7f5',
    ...(opts.iconPath ? { icon: opts.iconPath } : {}),
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: !!process.env.TAPDESK_DEVTOOLS,
    },
  };
}

/** Only our own pages, ever; everything else (links, drops, redirects) is refused. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** An IPC message is ours only if it comes from the top frame of our window showing our page. */
export function isTrustedSender(sender: { frameUrl: string | undefined; isMainFrame: boolean; webContentsId: number }, windowWebContentsId: number | null): boolean {
  return (
    windowWebContentsId !== null &&
    sender.webContentsId === windowWebContentsId &&
    sender.isMainFrame &&
    sender.frameUrl !== undefined &&
    isAppUrl(sender.frameUrl)
  );
}

/** Maps an app:// request path to a file inside the renderer folder; null for anything outside it. */
export function resolveAppPath(url: string, rendererDir: string, join: (...p: string[]) => string, normalize: (p: string) => string): string | null {
  if (!isAppUrl(url)) return null;
  const pathname = decodeURIComponent(new URL(url).pathname);
  // Encoded traversal (%2e%2e, %2f) survives URL parsing; refuse it outright rather than clamp it.
  if (pathname.split(/[/\\]/).includes('..')) return null;
  const rel = normalize(pathname).replace(/^[/\\]+/, '');
  return join(rendererDir, rel === '' ? 'index.html' : rel);
}
