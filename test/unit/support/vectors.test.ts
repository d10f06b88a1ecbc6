import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vectorText, vectorsDir } from '../../support/vectors.js';

describe('protocol vector files', () => {
  const sums = vectorText('SHA256SUMS.txt').trim().split('\n').map((line) => line.split(/\s+/));
  for (const [sum, name] of sums) {
    it(`${name} matches SHA256SUMS.txt`, () => {
      const digest = createHash('sha256').update(readFileSync(join(vectorsDir, name!))).digest('hex');
      expect(digest).toBe(sum);
    });
  }
});
