// Reads the "Test Vectors" sections of the descriptor BIPs (mediawiki bullet lists): valid
// descriptors with the scripts they produce (or, in BIP389, the descriptors they expand into) and
// invalid descriptors with their descriptions.

export interface ValidVector {
  descriptor: string;
  /** Hex scripts for children 0, 1, 2 (ranged) or the single script. */
  scripts: string[];
  /** BIP389: the descriptors a multipath descriptor expands into. */
  expansions: string[];
}
export interface InvalidVector {
  description: string;
  descriptor: string;
}

/** The last <tt>…</tt> of a line: descriptions may hold <tt> too, descriptors may hold "<". */
function lastTt(line: string): { before: string; value: string } | undefined {
  const start = line.lastIndexOf('<tt>');
  if (start < 0 || !line.endsWith('</tt>')) return undefined;
  return { before: line.slice(0, start), value: line.slice(start + 4, -5) };
}

export function parseDescriptorVectors(mediawiki: string): { valid: ValidVector[]; invalid: InvalidVector[] } {
  const valid: ValidVector[] = [];
  const invalid: InvalidVector[] = [];
  let inInvalid = false;
  for (const line of mediawiki.split('\n')) {
    if (/^Invalid/.test(line)) inInvalid = true;
    if (line.startsWith('** ')) {
      const tt = lastTt(line);
      if (!tt) continue;
      if (/^[0-9a-f]+$/.test(tt.value)) valid.at(-1)!.scripts.push(tt.value);
      else valid.at(-1)!.expansions.push(tt.value);
    } else if (line.startsWith('* ')) {
      const tt = lastTt(line);
      if (!tt) continue;
      if (inInvalid) {
        const description = tt.before.slice(2).replace(/<\/?tt>/g, '').replace(/:\s*$/, '').trim();
        invalid.push({ description, descriptor: tt.value });
      } else {
        valid.push({ descriptor: tt.value, scripts: [], expansions: [] });
      }
    }
  }
  return { valid, invalid };
}
