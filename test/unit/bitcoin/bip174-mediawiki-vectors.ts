// Reads the "Test Vectors" sections of BIP174/370/371 (mediawiki excerpts in test/vectors) into
// cases: the section a case sits in, its title, and its hex and base64 encodings as printed.
// The BIP texts have small markup slips ("Bytes in HEx", "<pre><7073…", a </pre> on the next
// line), which the patterns below tolerate.
import { vectorText } from '../../support/vectors.js';

export interface MediawikiCase {
  /** The sentence introducing the group, e.g. "The following are invalid PSBTs". */
  readonly section: string;
  readonly name: string;
  readonly hex: string;
  readonly base64: string;
}

const SECTION = /^(The following are [^:]*|Fails Signer checks|The timelock for the following PSBTs [^:]*)/;
const CASE = /^\* Case: (.*)$/;
const HEX = /^\*{1,2} Bytes in hex: <pre><?([0-9a-f]+)/i;
const BASE64 = /^\*{1,2} Base64 String: <pre>([A-Za-z0-9+/=]+)/;

/** Name given to encodings the BIP prints without a "Case:" title. */
export const UNTITLED = '(untitled in the BIP)';

export function psbtCases(file: string): MediawikiCase[] {
  const cases: MediawikiCase[] = [];
  let section = '';
  let current: { section: string; name: string; hex?: string; base64?: string } | null = null;
  const flush = () => {
    if (!current) return;
    if (!current.hex || !current.base64) throw new Error(`${file}: case "${current.name}" lacks an encoding`);
    cases.push({ section: current.section, name: current.name, hex: current.hex, base64: current.base64 });
    current = null;
  };
  for (const line of vectorText(file).split('\n')) {
    const s = SECTION.exec(line);
    if (s) {
      flush();
      section = s[1]!.trim();
      continue;
    }
    const c = CASE.exec(line);
    if (c) {
      flush();
      current = { section, name: c[1]!.trim() };
      continue;
    }
    if (!current) continue;
    // Any other paragraph ends the case list (BIP174 continues with its role walkthrough).
    if (line.trim() && !line.startsWith('*') && !line.startsWith('</pre>')) {
      flush();
      continue;
    }
    const h = HEX.exec(line);
    if (h) {
      // BIP370 prints one pair of encodings without a "Case:" title; it becomes its own case.
      if (current.hex) {
        const untitled: { section: string; name: string } = { section: current.section, name: UNTITLED };
        flush();
        current = untitled;
      }
      current.hex = h[1]!;
    }
    const b = BASE64.exec(line);
    if (b) current.base64 = b[1]!;
  }
  flush();
  return cases;
}

/** Encodings that appear after `marker` outside "Case:" lists, in order (BIP174's role walkthrough). */
export function walkthroughEncodings(file: string, marker: string): { hex: string; base64: string | null }[] {
  const lines = vectorText(file).split('\n');
  const start = lines.findIndex((l) => l.startsWith(marker));
  if (start < 0) throw new Error(`${file}: "${marker}" not found`);
  const out: { hex: string; base64: string | null }[] = [];
  for (const line of lines.slice(start)) {
    const h = HEX.exec(line);
    if (h) out.push({ hex: h[1]!, base64: null });
    const b = BASE64.exec(line);
    if (b && out.length) out[out.length - 1]!.base64 = b[1]!;
  }
  return out;
}
