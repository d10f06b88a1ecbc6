/**
 * Files the user saves or opens: exports (descriptors, labels, PSBTs) are offered as downloads, so
 * the browser or desktop shell asks where to put them; imports are read from a picked File.
 */
export function saveFile(filename: string, content: string | Uint8Array, type = 'text/plain'): void {
  const blob = new Blob([typeof content === 'string' ? content : new Uint8Array(content)], { type });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started once click() returns; the URL is no longer needed after this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export async function readFileBytes(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

const PSBT_MAGIC = [0x70, 0x73, 0x62, 0x74, 0xff]; // "psbt" 0xff, BIP174

/**
 * A PSBT file as the text the API takes: binary files (BIP174 magic) become base64, text files
 * (base64 or hex, as other wallets save them) are passed on trimmed.
 */
export function psbtFileText(bytes: Uint8Array): string {
  if (PSBT_MAGIC.every((b, i) => bytes[i] === b)) return bytesToBase64(bytes);
  return new TextDecoder().decode(bytes).trim();
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Null when the text is not base64 (the API reports what is wrong with a PSBT; this only decodes). */
export function base64ToBytes(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** A file name safe on every desktop, from a wallet name and what the file holds. */
export function fileName(base: string, suffix: string): string {
  const safe = base.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'wallet';
  return `${safe}-${suffix}`;
}
