/** Hash routing (`#/settings`): works the same under app:// and http://, needs no server support. */
export const pages = [
  { id: 'wallet', title: 'Wallet' },
  { id: 'send', title: 'Send' },
  { id: 'receive', title: 'Receive' },
  { id: 'channels', title: 'Channels' },
  { id: 'shared', title: 'Shared accounts' },
  { id: 'payees', title: 'Payees' },
  { id: 'settings', title: 'Settings' },
] as const;

export type PageId = (typeof pages)[number]['id'];

function fromHash(): PageId {
  const id = location.hash.replace(/^#\/?/, '');
  return pages.find((p) => p.id === id)?.id ?? 'wallet';
}

export const route = $state({ page: fromHash() });

window.addEventListener('hashchange', () => (route.page = fromHash()));

export function go(page: PageId): void {
  location.hash = `/${page}`;
}
