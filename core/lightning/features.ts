/**
 * Feature bits (BOLT 9) as a typed set, with the receiving rules of BOLT 1 `init`: unknown even
 * ("required") bits are refused, unknown odd bits ignored, and every known transitive dependency
 * must be set. Includes the simple-taproot-channel bits (80/81, staging 180/181), which are also
 * channel-type bits (`channel_type = Features.of({ option_simple_taproot: 'required' })`).
 *
 * A `Features` keeps the bytes it was decoded from, so re-encoding is byte-identical; bits made
 * here are minimally encoded. Not here: which features Tapdesk offers (the node decides), BOLT 11
 * 5-bit packing (the invoice module maps its words to bit numbers and uses `Features.fromBits`).
 *
 * Spec: https://github.com/lightning/bolts/blob/master/09-features.md,
 *       https://github.com/lightning/bolts/blob/master/01-messaging.md#the-init-message,
 *       bolt-simple-taproot.md "Feature Bits" (lightning/bolts PR #995).
 */
import { type Codec, mapped, remainder, varbytes } from './codec.js';

interface FeatureInfo {
  /** The even (required) bit; the optional bit is `bit + 1`. */
  readonly bit: number;
  /** BOLT 9 "ASSUMED": present in every node, so satisfied as a dependency without being set. */
  readonly assumed?: true;
  /** Names of features this one needs (BOLT 9 "Dependencies"); each is a key of `FEATURES`. */
  readonly dependencies?: readonly string[];
}

/** BOLT 9 at lightning/bolts a3772650 plus the simple taproot proposal. */
export const FEATURES = {
  option_data_loss_protect: { bit: 0, assumed: true },
  option_upfront_shutdown_script: { bit: 4 },
  gossip_queries: { bit: 6 },
  var_onion_optin: { bit: 8, assumed: true },
  gossip_queries_ex: { bit: 10 },
  option_static_remotekey: { bit: 12, assumed: true },
  payment_secret: { bit: 14, assumed: true },
  basic_mpp: { bit: 16, dependencies: ['payment_secret'] },
  option_support_large_channel: { bit: 18 },
  option_anchors: { bit: 22 },
  option_route_blinding: { bit: 24 },
  option_shutdown_anysegwit: { bit: 26 },
  option_dual_fund: { bit: 28 },
  option_quiesce: { bit: 34 },
  option_attribution_data: { bit: 36 },
  option_onion_messages: { bit: 38 },
  option_provide_storage: { bit: 42 },
  option_channel_type: { bit: 44, assumed: true },
  option_scid_alias: { bit: 46 },
  option_payment_metadata: { bit: 48 },
  option_zeroconf: { bit: 50, dependencies: ['option_scid_alias'] },
  option_simple_close: { bit: 60, dependencies: ['option_shutdown_anysegwit'] },
  option_splice: { bit: 62 },
  option_simple_taproot: { bit: 80, dependencies: ['option_channel_type', 'option_simple_close'] },
  option_simple_taproot_staging: { bit: 180, dependencies: ['option_channel_type'] },
} as const satisfies Record<string, FeatureInfo>;

export type FeatureName = keyof typeof FEATURES;
export type Support = 'required' | 'optional';

const byBit = new Map<number, FeatureName>(
  (Object.entries(FEATURES) as [FeatureName, FeatureInfo][]).map(([name, f]) => [f.bit, name]),
);
const info = (name: FeatureName): FeatureInfo => FEATURES[name];

/** The feature a bit belongs to, whichever of its pair it is. */
export function featureOfBit(bit: number): FeatureName | undefined {
  return byBit.get(bit & ~1);
}

export class Features {
  private constructor(private readonly wire: Uint8Array) {}

  static fromBytes(bytes: Uint8Array): Features {
    return new Features(bytes.slice());
  }

  static fromBits(bits: Iterable<number>): Features {
    const list = [...bits];
    for (const b of list) {
      if (!Number.isInteger(b) || b < 0 || b > 0xffff * 8) throw new RangeError(`"bit" expected integer in 0..524280, got ${b}`);
    }
    const top = list.reduce((m, b) => Math.max(m, b), -1); // not Math.max(...list): 500k bits overflow the stack
    const out = new Uint8Array(Math.floor(top / 8) + 1);
    for (const b of list) out[out.length - 1 - (b >> 3)]! |= 1 << (b & 7);
    return new Features(top < 0 ? new Uint8Array() : out);
  }

  static of(spec: Partial<Record<FeatureName, Support>>): Features {
    return Features.fromBits(
      (Object.entries(spec) as [FeatureName, Support][]).map(([name, s]) => info(name).bit + (s === 'optional' ? 1 : 0)),
    );
  }

  toBytes(): Uint8Array {
    return this.wire.slice();
  }

  hasBit(bit: number): boolean {
    const i = this.wire.length - 1 - (bit >> 3);
    return i >= 0 && (this.wire[i]! & (1 << (bit & 7))) !== 0;
  }

  /** Set bits, ascending. */
  bits(): number[] {
    const out: number[] = [];
    for (let i = this.wire.length - 1; i >= 0; i--) {
      const byte = this.wire[i]!;
      if (byte === 0) continue;
      const base = (this.wire.length - 1 - i) * 8;
      for (let j = 0; j < 8; j++) if (byte & (1 << j)) out.push(base + j);
    }
    return out;
  }

  /** BOLT 9: "if both the optional and the mandatory feature bits in a pair are set, the feature should be treated as mandatory". */
  support(name: FeatureName): Support | undefined {
    const { bit } = info(name);
    return this.hasBit(bit) ? 'required' : this.hasBit(bit + 1) ? 'optional' : undefined;
  }

  offers(name: FeatureName): boolean {
    return this.support(name) !== undefined;
  }

  /** Bitwise OR; `init` combines `globalfeatures` and `features` this way. */
  union(other: Features): Features {
    return Features.fromBits(new Set([...this.bits(), ...other.bits()]));
  }

  /** Even bits set that this implementation has no name for: BOLT 1 says close the connection. */
  unknownRequiredBits(): number[] {
    return this.bits().filter((b) => b % 2 === 0 && featureOfBit(b) === undefined);
  }

  /** Offered features whose known dependencies are neither offered nor ASSUMED. */
  missingDependencies(): { feature: FeatureName; missing: FeatureName }[] {
    const out: { feature: FeatureName; missing: FeatureName }[] = [];
    for (const name of Object.keys(FEATURES) as FeatureName[]) {
      if (!this.offers(name)) continue;
      for (const dep of (info(name).dependencies ?? []) as FeatureName[]) {
        if (!this.offers(dep) && !info(dep).assumed) out.push({ feature: name, missing: dep });
      }
    }
    return out;
  }

  equals(other: Features): boolean {
    const a = this.bits();
    const b = other.bits();
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
}

export type Negotiation = { ok: true; negotiated: ReadonlySet<FeatureName> } | { ok: false; problem: string };

/**
 * The `init` receiving rules: refuse a peer that requires (even bit) anything we do not support —
 * unknown to us, or known but not offered by us and not ASSUMED — or that omits a dependency.
 * A feature is negotiated when both offered it, or we offered it as required (the peer stayed
 * connected, so it supports it); ASSUMED features always are.
 */
export function negotiateFeatures(local: Features, remote: Features): Negotiation {
  for (const bit of remote.bits()) {
    if (bit % 2 !== 0) continue;
    const name = featureOfBit(bit);
    if (name === undefined) return { ok: false, problem: `peer requires unknown feature bit ${bit}` };
    if (!local.offers(name) && !info(name).assumed) return { ok: false, problem: `peer requires ${name} (bit ${bit}), which we do not support` };
  }
  const missing = remote.missingDependencies()[0];
  if (missing) return { ok: false, problem: `peer offers ${missing.feature} without its dependency ${missing.missing}` };
  const negotiated = new Set<FeatureName>();
  for (const name of Object.keys(FEATURES) as FeatureName[]) {
    const both = local.offers(name) && remote.offers(name);
    if (both || local.support(name) === 'required' || info(name).assumed) negotiated.add(name);
  }
  return { ok: true, negotiated };
}

/** `[u16:flen][flen*byte:features]`, as in `init`. */
export const lengthPrefixedFeatures: Codec<Features> = mapped(
  varbytes,
  (b) => Features.fromBytes(b),
  (f) => f.toBytes(),
);

/** `...*byte` feature bits to the end of a TLV record, as in `channel_type`. */
export const trailingFeatures: Codec<Features> = mapped(
  remainder,
  (b) => Features.fromBytes(b),
  (f) => f.toBytes(),
);
