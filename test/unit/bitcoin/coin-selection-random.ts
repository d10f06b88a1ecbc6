// Deterministic stand-in for the injected randomness of coin selection and fee sniping in tests
// (mulberry32): the same seed gives the same draws, so failures reproduce.
export function seededRandom(seed: number): (bound: number) => number {
  let state = seed >>> 0;
  return (bound: number) => {
    if (!Number.isSafeInteger(bound) || bound <= 0) throw new RangeError(`"bound" expected a positive integer, got ${bound}`);
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return Math.floor(unit * bound);
  };
}
