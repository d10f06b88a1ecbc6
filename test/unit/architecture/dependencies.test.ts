/**
 * The dependency rules of ../shared/ARCHITECTURE.md, enforced: dependencies point down the layer
 * table, Electron stays in electron/, the renderer reaches the core only through core/api, and the
 * packages we keep behind one adapter are imported nowhere else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/cli.js';

function files(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|cts|mts|svelte)$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => relative(repoRoot, join(e.parentPath, e.name)));
}

const importRe = /(?:^|[^.\w])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[^.\w])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

interface Edge {
  from: string;
  spec: string;
  /** Repo-relative target for relative imports, else the package name. */
  target: string;
  typeOnly: boolean;
}

function edges(file: string): Edge[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const out: Edge[] = [];
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4]!;
    const typeOnly = /^\s*(?:import|export)\s+type\s/.test(m[0].replace(/^[^ie]*/, ''));
    const target = spec.startsWith('.') ? relative(repoRoot, resolve(repoRoot, dirname(file), spec)) : spec.startsWith('node:') ? spec : spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
    out.push({ from: file, spec, target, typeOnly });
  }
  return out;
}

const all = [...files('core'), ...files('electron'), ...files('renderer/src')].flatMap(edges);
const layerOf = (path: string) => /^core\/([^/]+)\//.exec(path)?.[1] ?? null;

// Which core layers each layer may import (ARCHITECTURE.md's table, top to bottom).
const allowed: Record<string, string[]> = {
  api: ['api'],
  bitcoin: ['bitcoin'],
  musig: ['musig', 'bitcoin'],
  chain: ['chain', 'bitcoin'],
  lightning: ['lightning', 'bitcoin', 'musig'],
  channels: ['channels', 'lightning', 'bitcoin', 'musig'],
  wallet: ['wallet', 'api', 'bitcoin', 'musig', 'chain', 'lightning', 'channels'],
  store: ['store', 'api', 'bitcoin', 'musig', 'chain', 'lightning', 'channels', 'wallet'],
  node: ['node', 'api', 'bitcoin', 'musig', 'chain', 'lightning', 'channels', 'wallet', 'store'],
  host: ['host', 'node', 'api', 'bitcoin', 'musig', 'chain', 'lightning', 'channels', 'wallet', 'store'],
};
// The SQLite opener is a leaf primitive any layer that keeps its own file may use (the Playground does).
const sharedLeaf = 'core/store/database.ts';

describe('architecture: dependency rules', () => {
  it('scans a meaningful number of imports', () => {
    expect(all.length).toBeGreaterThan(50);
  });

  it('core layers import only layers above them', () => {
    const bad = all.filter((e) => {
      const from = layerOf(e.from);
      const to = e.spec.startsWith('.') ? layerOf(e.target) : null;
      if (!from || !to || e.target.replace(/\.js$/, '.ts') === sharedLeaf) return false;
      return !(allowed[from] ?? []).includes(to);
    });
    expect(bad.map((e) => `${e.from} → ${e.spec}`)).toEqual([]);
  });

  it('core/api depends on zod only', () => {
    const bad = all.filter((e) => e.from.startsWith('core/api/') && !e.spec.startsWith('.') && e.target !== 'zod');
    expect(bad.map((e) => `${e.from} → ${e.spec}`)).toEqual([]);
  });

  it('no electron import outside electron/', () => {
    const bad = all.filter((e) => e.target === 'electron' && !e.from.startsWith('electron/'));
    expect(bad.map((e) => `${e.from} → ${e.spec}`)).toEqual([]);
  });

  it('core never imports electron/ or renderer/', () => {
    const bad = all.filter((e) => e.from.startsWith('core/') && /^(electron|renderer)\//.test(e.target));
    expect(bad.map((e) => `${e.from} → ${e.spec}`)).toEqual([]);
  });

  it('the renderer reaches the core only through core/api, and uses no Node builtins', () => {
    const bad = all.filter(
      (e) => e.from.startsWith('renderer/') && ((e.target.startsWith('core/') && !e.target.startsWith('core/api/')) || e.target.startsWith('node:') || e.target.startsWith('electron')),
    );
    expect(bad.map((e) => `${e.from} → ${e.spec}`)).toEqual([]);
  });

  it('the Electron shell takes only types from core/api (the preload bundles the typed client)', () => {
    const bad = all.filter(
      (e) =>
        e.from.startsWith('electron/') &&
        e.target.startsWith('core/') &&
        !(e.target.startsWith('core/api/') && (e.typeOnly || e.from.startsWith('electron/preload/'))),
    );
    expect(bad.map((e) => `${e.from} → ${e.spec}`)).toEqual([]);
  });

  it.each([
    ['better-sqlite3', /^core\/store\//],
    ['@cmdcode/tapscript', /^core\/bitcoin\/tapscript\.ts$/],
    ['bitcore-lib', /^core\/chain\/playground\//],
  ])('%s is imported only behind its adapter', (pkg, where) => {
    const bad = all.filter((e) => e.target === pkg && !where.test(e.from));
    expect(bad.map((e) => `${e.from} → ${e.spec}`)).toEqual([]);
  });
});
