/**
 * Descriptor surface syntax: `name(arg,arg,...)` calls and top-level argument splitting that
 * respects nesting of `()` and `{}` (keys may hold `musig(...)`, trees hold `{a,b}`).
 *
 * Not here: what the names mean (`parse.ts`, `key-expression.ts`).
 */
import { DecodeError } from '../errors.js';

export function syntaxError(message: string): never {
  throw new DecodeError('DESCRIPTOR_SYNTAX', `"descriptor" ${message}`);
}

/** Index of the bracket closing the one at `open`, or -1. */
export function closingBracket(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '{') depth++;
    else if (c === ')' || c === '}') {
      depth--;
      if (depth === 0) return i;
      if (depth < 0) return -1;
    }
  }
  return -1;
}

/** Splits on `separator` at nesting depth 0; unbalanced brackets are a syntax error. */
export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '{') depth++;
    else if (c === ')' || c === '}') {
      depth--;
      if (depth < 0) syntaxError(`has an unmatched ${JSON.stringify(c)} in ${JSON.stringify(text)}`);
    } else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) syntaxError(`has an unclosed bracket in ${JSON.stringify(text)}`);
  parts.push(text.slice(start));
  return parts;
}

/**
 * `name(args)` covering the whole of `text`, with its arguments split at top-level commas, or
 * undefined when `text` is not a call.
 */
export function parseCall(text: string): { name: string; args: string[] } | undefined {
  const m = /^([a-z_]+)\(/.exec(text);
  if (!m) return undefined;
  const open = m[1]!.length;
  const close = closingBracket(text, open);
  if (close < 0) syntaxError(`has no ")" closing ${m[1]}(`);
  if (close !== text.length - 1) syntaxError(`has ${JSON.stringify(text.slice(close + 1))} after ${m[1]}(...)`);
  return { name: m[1]!, args: splitTopLevel(text.slice(open + 1, close), ',') };
}
