// The DecodeError a decoder throws for bad input: anything else thrown fails the test as it is,
// and a decoder that accepts the input fails it too.
import { DecodeError } from '../../core/bitcoin/errors.js';

export function decodeErrorOf(fn: () => unknown, what = 'decoding'): DecodeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DecodeError) return err;
    throw err;
  }
  throw new Error(`expected a DecodeError, ${what} succeeded`);
}
