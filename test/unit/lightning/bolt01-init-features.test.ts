// BOLT 1 `init` feature rules with the BOLT 9 table: bit layout, unknown even → refuse, unknown odd
// → ignore, transitive dependencies, ASSUMED features, negotiation; and the simple taproot bits.
import { bytesToHex as hex, hexToBytes as unhex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { FEATURES, type FeatureName, Features, featureOfBit, negotiateFeatures } from '../../../core/lightning/features.js';
import { vectorText } from '../../support/vectors.js';

describe('feature bitmaps', () => {
  it('bit 0 is the least significant bit of the last byte; encodings are minimal and zero-padded to bytes', () => {
    expect(hex(Features.fromBits([0]).toBytes())).toBe('01');
    expect(hex(Features.fromBits([9]).toBytes())).toBe('0200');
    expect(hex(Features.fromBits([1, 15]).toBytes())).toBe('8002');
    expect(hex(Features.fromBits([]).toBytes())).toBe('');
  });

  it('reads bits back in ascending order, and keeps received bytes verbatim (leading zero bytes too)', () => {
    const f = Features.fromBytes(unhex('00000a01'));
    expect(f.bits()).toEqual([0, 9, 11]);
    expect(hex(f.toBytes())).toBe('00000a01');
    expect(f.equals(Features.fromBits([11, 9, 0]))).toBe(true);
  });

  it('a pair with both bits set counts as required', () => {
    expect(Features.fromBits([16, 17]).support('basic_mpp')).toBe('required');
    expect(Features.fromBits([17]).support('basic_mpp')).toBe('optional');
    expect(Features.fromBits([]).support('basic_mpp')).toBeUndefined();
  });

  it('union is a bitwise OR', () => {
    expect(Features.fromBits([1, 80]).union(Features.fromBits([80, 181])).bits()).toEqual([1, 80, 181]);
  });

  it('refuses bits outside what a u16-length bitmap can hold', () => {
    expect(() => Features.fromBits([-1])).toThrow(RangeError);
    expect(() => Features.fromBits([524281])).toThrow(/"bit" expected integer in 0..524280/);
  });

  it('a maximal bitmap (65535 bytes, every bit set) is handled without stack overflow', () => {
    const f = Features.fromBytes(new Uint8Array(65535).fill(0xff));
    expect(f.bits()).toHaveLength(524280);
    expect(f.union(f).toBytes()).toHaveLength(65535);
  });
});

describe('the BOLT 9 table and the simple taproot proposal', () => {
  const taproot = vectorText('bolt-simple-taproot.md');

  it('option_simple_taproot is 80/81 and option_simple_taproot_staging 180/181, as the proposal assigns', () => {
    expect(taproot).toMatch(/\| 80\/81 +\| `option_simple_taproot` /);
    expect(taproot).toMatch(/\| 180\/181 \| `option_simple_taproot_staging`/);
    expect(Features.of({ option_simple_taproot: 'optional' }).bits()).toEqual([81]);
    expect(Features.of({ option_simple_taproot_staging: 'required' }).bits()).toEqual([180]);
    expect(featureOfBit(81)).toBe('option_simple_taproot');
  });

  it('the taproot channel_type is the even bit 80 alone', () => {
    expect(hex(Features.of({ option_simple_taproot: 'required' }).toBytes())).toBe('01' + '00'.repeat(10));
    expect(hex(Features.of({ option_simple_taproot_staging: 'required' }).toBytes())).toBe('10' + '00'.repeat(22));
  });

  it('dependencies follow the tables: taproot needs option_channel_type and option_simple_close, which needs option_shutdown_anysegwit', () => {
    expect(FEATURES.option_simple_taproot.dependencies).toEqual(['option_channel_type', 'option_simple_close']);
    expect(FEATURES.option_simple_close.dependencies).toEqual(['option_shutdown_anysegwit']);
    expect(FEATURES.option_zeroconf.dependencies).toEqual(['option_scid_alias']);
  });

  it('every dependency names a feature of the table, and bits are even and distinct', () => {
    const names = Object.keys(FEATURES);
    const bits = new Set<number>();
    for (const [name, f] of Object.entries(FEATURES) as [FeatureName, { bit: number; dependencies?: readonly string[] }][]) {
      expect(f.bit % 2, name).toBe(0);
      expect(bits.has(f.bit), name).toBe(false);
      bits.add(f.bit);
      for (const dep of f.dependencies ?? []) expect(names, `${name} → ${dep}`).toContain(dep);
    }
  });
});

describe('receiving init features', () => {
  const local = Features.of({
    option_simple_taproot: 'optional',
    option_simple_close: 'optional',
    option_shutdown_anysegwit: 'optional',
    option_scid_alias: 'optional',
    basic_mpp: 'optional',
  });

  it('unknown even bit → refuse', () => {
    const remote = Features.fromBits([100]);
    expect(remote.unknownRequiredBits()).toEqual([100]);
    expect(negotiateFeatures(local, remote)).toEqual({ ok: false, problem: 'peer requires unknown feature bit 100' });
  });

  it('unknown odd bit → ignore', () => {
    const remote = Features.fromBits([101, 255]);
    expect(remote.unknownRequiredBits()).toEqual([]);
    expect(negotiateFeatures(local, remote).ok).toBe(true);
  });

  it('a known feature the peer requires but we do not support → refuse', () => {
    expect(negotiateFeatures(local, Features.of({ option_dual_fund: 'required' }))).toEqual({
      ok: false,
      problem: 'peer requires option_dual_fund (bit 28), which we do not support',
    });
  });

  it('a required ASSUMED feature is fine even if we do not set it', () => {
    expect(negotiateFeatures(local, Features.of({ var_onion_optin: 'required', payment_secret: 'required' })).ok).toBe(true);
  });

  it('a missing dependency → refuse (option_simple_taproot without option_simple_close)', () => {
    const remote = Features.of({ option_simple_taproot: 'optional' });
    expect(remote.missingDependencies()).toEqual([{ feature: 'option_simple_taproot', missing: 'option_simple_close' }]);
    expect(negotiateFeatures(local, remote)).toEqual({
      ok: false,
      problem: 'peer offers option_simple_taproot without its dependency option_simple_close',
    });
  });

  it('dependencies are transitive (option_simple_close needs option_shutdown_anysegwit)', () => {
    const remote = Features.of({ option_simple_taproot: 'optional', option_simple_close: 'optional' });
    expect(remote.missingDependencies()).toEqual([{ feature: 'option_simple_close', missing: 'option_shutdown_anysegwit' }]);
  });

  it('an ASSUMED dependency need not be set (option_channel_type, payment_secret)', () => {
    expect(Features.of({ basic_mpp: 'optional' }).missingDependencies()).toEqual([]);
    expect(
      Features.of({ option_simple_taproot: 'optional', option_simple_close: 'optional', option_shutdown_anysegwit: 'optional' }).missingDependencies(),
    ).toEqual([]);
  });

  it('negotiated = offered by both, or required by us, plus every ASSUMED feature', () => {
    const ours = Features.of({ option_simple_taproot: 'optional', option_simple_close: 'optional', option_shutdown_anysegwit: 'required', option_scid_alias: 'optional' });
    const theirs = Features.of({ option_simple_taproot: 'optional', option_simple_close: 'optional', option_shutdown_anysegwit: 'optional', option_zeroconf: 'optional', option_scid_alias: 'optional' });
    const result = negotiateFeatures(ours, theirs);
    if (!result.ok) throw new Error(result.problem);
    expect([...result.negotiated].sort()).toEqual(
      [
        'option_simple_taproot',
        'option_simple_close',
        'option_shutdown_anysegwit',
        'option_scid_alias',
        'option_data_loss_protect',
        'var_onion_optin',
        'option_static_remotekey',
        'payment_secret',
        'option_channel_type',
      ].sort(),
    );
    const requiredOnly = negotiateFeatures(Features.of({ option_shutdown_anysegwit: 'required' }), Features.fromBits([]));
    expect(requiredOnly.ok && requiredOnly.negotiated.has('option_shutdown_anysegwit')).toBe(true);
  });
});
