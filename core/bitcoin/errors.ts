/**
 * The one error type for untrusted bytes or text that do not parse (addresses, PSBTs, invoices,
 * onions, wire messages, descriptors). Decoders throw this and nothing else; `code` is stable and
 * machine-readable, `message` names the field and what was wrong with it.
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Runs a decoder and turns any stray exception (a library's own throw) into a DecodeError. */
export function decoding<T>(code: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    throw new DecodeError(code, `${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
