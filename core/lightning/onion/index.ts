/** BOLT 4 onions: re-exports only. */
export * from './sphinx.js';
export * from './payload.js';
export * from './failure.js';
export * from './route-blinding.js';
export * from './onion-message.js';
export * from './secrets.js';
