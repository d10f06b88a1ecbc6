/**
 * The backup check after showing a new recovery phrase: a few random word positions the user must
 * fill in from what they wrote down. Positions are 1-based, as the phrase is numbered on screen.
 */
const QUIZ_QUESTIONS = 3;

/** Distinct positions in 1..wordCount, ascending, chosen with the platform CSPRNG. */
export function quizPositions(wordCount: number, count = QUIZ_QUESTIONS): number[] {
  if (count > wordCount) throw new RangeError(`"count" expected at most ${wordCount}, got ${count}`);
  const chosen = new Set<number>();
  const buf = new Uint32Array(1);
  while (chosen.size < count) {
    crypto.getRandomValues(buf);
    chosen.add((buf[0]! % wordCount) + 1);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** The positions whose answer does not match the phrase (case and surrounding spaces ignored). */
export function wrongAnswers(words: readonly string[], answers: readonly { position: number; word: string }[]): number[] {
  return answers.filter((a) => words[a.position - 1] !== a.word.trim().toLowerCase()).map((a) => a.position);
}
