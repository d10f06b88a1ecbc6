/** BOLT 11 invoices: re-exports only. */
export * from './invoice.js';
export * from './fields.js';
export * from './fallback.js';
export * from './features.js';
export * from './hrp.js';
