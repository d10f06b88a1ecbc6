/**
 * The messages every transport carries (WebSocket as JSON text, MessagePort as structured clones).
 * Each side validates what it receives with these schemas before acting on it.
 */
import { z } from 'zod';
import { ApiErrorShape } from './errors.js';

export const ClientMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('call'), id: z.number().int().nonnegative(), method: z.string(), params: z.unknown() }),
  z.object({ kind: z.literal('subscribe'), event: z.string() }),
  z.object({ kind: z.literal('unsubscribe'), event: z.string() }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export const ServerMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('result'), id: z.number().int(), result: z.unknown() }),
  z.object({ kind: z.literal('error'), id: z.number().int(), error: ApiErrorShape }),
  z.object({ kind: z.literal('event'), event: z.string(), data: z.unknown() }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
