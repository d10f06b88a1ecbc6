/**
 * Hash routing (`#/wallet/tx/<txid>`): works the same under app:// and http://, needs no server
 * support. The first segment is the page, the rest its sub-route (a step, an id).
 */
export const pages = [
  { id: 'wallet', title: 'Wallet' },
  { id: 'send', title: 'Send' },
  { id: 'receive', title: 'Receive' },
  { id: 'coins', title: 'Coins' },
  { id: 'psbt', title: 'PSBT' },
  { id: 'channels', title: 'Channels' },
  { id: 'shared', title: 'Shared accounts' },
  { id: 'payees', title: 'Payees' },
  { id: 'settings', title: 'Settings' },
] as const;

/** Pages reached from inside the app rather than from the navigation list. */
const hiddenPages = ['wallets'] as const;

export type PageId = (typeof pages)[number]['id'] | (typeof hiddenPages)[number];

/** Pages that show the open wallet, so they need one (and need it unlocked). */
export const walletPages: readonly PageId[] = ['wallet', 'send', 'receive', 'coins', 'psbt'];

function isPageId(id: string): id is PageId {
  return pages.some((p) => p.id === id) || (hiddenPages as readonly string[]).includes(id);
}

function fromHash(): { page: PageId; sub: string[] } {
  const [first = '', ...sub] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return isPageId(first) ? { page: first, sub } : { page: 'wallet', sub: [] };
}

export const route: { page: PageId; sub: string[] } = $state(fromHash());

window.addEventListener('hashchange', () => Object.assign(route, fromHash()));

export function go(page: PageId, ...sub: string[]): void {
  location.hash = `/${[page, ...sub].map(encodeURIComponent).join('/')}`;
}
