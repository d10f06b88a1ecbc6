/**
 * A hint about how guessable a wallet passphrase is: an estimate of its entropy from length and
 * character variety, discounted for repeats and sequences. A hint for the user, not a gate — the
 * API's only rule is the 8-character minimum. Long passphrases of random words score well, which
 * is the advice we give.
 */
export interface StrengthHint {
  level: 'too-short' | 'weak' | 'fair' | 'good' | 'strong';
  text: string;
}

const MIN_LENGTH = 8;

function poolSize(p: string): number {
  let pool = 0;
  if (/[a-z]/.test(p)) pool += 26;
  if (/[A-Z]/.test(p)) pool += 26;
  if (/[0-9]/.test(p)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(p)) pool += 33;
  return pool;
}

/** Characters that add little: the same as the one before, or one step along a run (abc, 123). */
function predictableChars(p: string): number {
  let n = 0;
  for (let i = 1; i < p.length; i++) {
    const step = p.charCodeAt(i) - p.charCodeAt(i - 1);
    if (step === 0 || step === 1 || step === -1) n++;
  }
  return n;
}

/** Fragments every guessing list starts with; each counts as a single character. */
const COMMON = ['password', 'passw0rd', 'qwerty', 'azerty', '123456', 'letmein', 'iloveyou', 'welcome', 'admin', 'bitcoin', 'satoshi', 'wallet', 'secret', 'abc123'];

function commonChars(p: string): number {
  const lower = p.toLowerCase();
  return COMMON.reduce((n, word) => (lower.includes(word) ? n + word.length - 1 : n), 0);
}

function estimateBits(passphrase: string): number {
  if (!passphrase) return 0;
  const effective = passphrase.length - commonChars(passphrase) - predictableChars(passphrase) * 0.75;
  return Math.max(0, effective * Math.log2(Math.max(poolSize(passphrase), 2)));
}

export function strengthHint(passphrase: string): StrengthHint {
  if (passphrase.length < MIN_LENGTH) return { level: 'too-short', text: `Use at least ${MIN_LENGTH} characters.` };
  const bits = estimateBits(passphrase);
  if (bits < 40) return { level: 'weak', text: 'Weak: someone with this computer’s files could guess it. Four or more random words work well.' };
  if (bits < 60) return { level: 'fair', text: 'Fair: longer is better — add another word.' };
  if (bits < 80) return { level: 'good', text: 'Good.' };
  return { level: 'strong', text: 'Strong.' };
}
