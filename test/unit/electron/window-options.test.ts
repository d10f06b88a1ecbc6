import { join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_URL, isAppUrl, isTrustedSender, resolveAppPath, windowOptions } from '../../../electron/window-options.js';

describe('Electron window options', () => {
  const prefs = windowOptions({ preload: '/app/preload.cjs', dark: false }).webPreferences!;

  it('isolates the renderer: context isolation, sandbox, no Node anywhere', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.navigateOnDragDrop).toBe(false);
    expect(prefs.preload).toBe('/app/preload.cjs');
  });

  it('keeps devtools closed unless asked for', () => {
    expect(prefs.devTools).toBe(!!process.env.TAPDESK_DEVTOOLS);
  });

  it('matches the background to the theme to avoid a white flash', () => {
    expect(windowOptions({ preload: 'p', dark: true }).backgroundColor).toBe('#111418');
    expect(windowOptions({ preload: 'p', dark: false }).backgroundColor).toBe('#f7f7f5');
  });
});

describe('navigation allowlist', () => {
  it.each([
    [APP_URL, true],
    ['app://tapdesk/#/settings', true],
    ['app://evil/index.html', false],
    ['https://tapdesk/index.html', false],
    ['file:///etc/passwd', false],
    ['http://127.0.0.1:1234/', false],
    ['javascript:alert(1)', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(isAppUrl(url)).toBe(allowed);
  });
});

describe('IPC sender validation', () => {
  const ours = { frameUrl: APP_URL, isMainFrame: true, webContentsId: 7 };
  it('trusts the top frame of our window on our page', () => expect(isTrustedSender(ours, 7)).toBe(true));
  it('refuses another web contents', () => expect(isTrustedSender({ ...ours, webContentsId: 8 }, 7)).toBe(false));
  it('refuses a subframe', () => expect(isTrustedSender({ ...ours, isMainFrame: false }, 7)).toBe(false));
  it('refuses a foreign page in our window', () => expect(isTrustedSender({ ...ours, frameUrl: 'https://evil.example/' }, 7)).toBe(false));
  it('refuses when there is no window', () => expect(isTrustedSender(ours, null)).toBe(false));
});

describe('app:// file mapping', () => {
  const root = '/opt/tapdesk/renderer';
  it('maps to files inside the renderer folder', () => {
    expect(resolveAppPath('app://tapdesk/', root, join, normalize)).toBe(join(root, 'index.html'));
    expect(resolveAppPath('app://tapdesk/assets/index.js', root, join, normalize)).toBe(join(root, 'assets/index.js'));
  });
  it('refuses traversal and other hosts', () => {
    expect(resolveAppPath('app://tapdesk/..%2f..%2fetc/passwd', root, join, normalize)).toBeNull();
    expect(resolveAppPath('app://other/index.html', root, join, normalize)).toBeNull();
  });
});
