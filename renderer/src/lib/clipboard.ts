/**
 * Copying text for the user. The async Clipboard API where the window may use it; otherwise the
 * older selection copy, which needs no permission (the desktop shell grants none).
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return selectionCopy(text);
  }
}

function selectionCopy(text: string): boolean {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  try {
    // Deprecated but still the only permission-free copy; used only when the Clipboard API is refused.
    return document.execCommand('copy');
  } finally {
    area.remove();
  }
}
