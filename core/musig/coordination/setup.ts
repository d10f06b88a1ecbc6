/**
 * The shared-account setup file: what one participant exports after building the account from
 * everyone's key cards, and every other participant imports — the account name, the network,
 * the descriptor with its BIP380 checksum (the thing to compare out loud), the participants'
 * names, and the height to scan from.
 *
 * The descriptor is the truth: the policy is read back from it (policy.ts) and names only label
 * its keys. A bare descriptor is accepted too (names then default to "Participant 1", …).
 * Untrusted text in, DecodeError out: SHARED_SETUP_SYNTAX, SHARED_SETUP_NETWORK, plus the
 * descriptor's and policy's own codes.
 */
import { z } from 'zod';
import { formatDescriptor, parseDescriptor } from '../../bitcoin/descriptor/index.js';
import { DecodeError } from '../../bitcoin/errors.js';
import type { Network } from '../../bitcoin/networks.js';
import { parseKeyCard } from './key-card.js';
import { policyDescriptor, policyFromDescriptor, type SharedPolicy } from './policy.js';

const MAX_SETUP = 200_000;
const Named = z.object({ name: z.string().max(64), key: z.string().max(1000) });
const SetupJson = z.object({
  tapdesk: z.literal('shared-account'),
  version: z.literal(1),
  network: z.string(),
  name: z.string().max(64),
  descriptor: z.string().max(MAX_SETUP),
  participants: z.array(Named).max(64),
  recovery: Named.nullable(),
  birthdayHeight: z.number().int().nonnegative(),
});

export interface SharedSetup {
  readonly name: string;
  readonly policy: SharedPolicy;
  /** Canonical descriptor text with checksum. */
  readonly descriptor: string;
  readonly birthdayHeight: number;
}

/** The setup of a policy (names come from its cards). */
export function sharedSetup(name: string, policy: SharedPolicy, birthdayHeight: number): SharedSetup {
  return { name, policy, descriptor: formatDescriptor(policyDescriptor(policy)), birthdayHeight };
}

/** The JSON text to hand to the other participants. */
export function formatSetup(setup: SharedSetup): string {
  const { policy } = setup;
  return `${JSON.stringify(
    {
      tapdesk: 'shared-account',
      version: 1,
      network: policy.network.name,
      name: setup.name,
      descriptor: setup.descriptor,
      participants: policy.participants.map((p) => ({ name: p.name, key: p.text })),
      recovery: policy.recovery ? { name: policy.recovery.key.name, key: policy.recovery.key.text } : null,
      birthdayHeight: setup.birthdayHeight,
    },
    null,
    2,
  )}\n`;
}

/** Reads a setup file, or a bare descriptor (`fallbackName` then names the account). */
export function parseSetup(text: string, network: Network, fallbackName: string): SharedSetup {
  if (typeof text !== 'string') throw new TypeError(`"setup" expected a string, got ${typeof text}`);
  const trimmed = text.trim();
  if (trimmed.length > MAX_SETUP) throw new DecodeError('SHARED_SETUP_SYNTAX', `"setup" expected at most ${MAX_SETUP} characters, got ${trimmed.length}`);
  if (!trimmed.startsWith('{')) {
    const policy = policyFromDescriptor(parseDescriptor(trimmed, network));
    return sharedSetup(fallbackName, policy, 0);
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch (err) {
    throw new DecodeError('SHARED_SETUP_SYNTAX', `"setup" is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = SetupJson.safeParse(json);
  if (!parsed.success) {
    throw new DecodeError('SHARED_SETUP_SYNTAX', `"setup" is not a Tapdesk shared-account file: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'setup'} ${i.message}`).join('; ')}`);
  }
  const s = parsed.data;
  if (s.network !== network.name) throw new DecodeError('SHARED_SETUP_NETWORK', `"setup" is for ${s.network}, this Tapdesk is on ${network.name}`);
  const names = new Map<string, string>();
  // Keys are matched in canonical form, whichever hardened marker the file used.
  for (const p of [...s.participants, ...(s.recovery ? [s.recovery] : [])]) if (p.name.trim()) names.set(parseKeyCard(p.key, network).text, p.name.trim());
  const policy = policyFromDescriptor(parseDescriptor(s.descriptor, network, { requireChecksum: true }), names);
  return { name: s.name.trim() || fallbackName, policy, descriptor: formatDescriptor(policyDescriptor(policy)), birthdayHeight: s.birthdayHeight };
}
