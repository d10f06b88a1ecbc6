// Addresses. Segwit cases are BIP350's "Test vectors for v0-v16 native segregated witness
// addresses" (bitcoin/bips bip-0350.mediawiki @ 7fe0b034, written out here because they are short)
// and BIP173's v0 invalid cases; plus Base58Check P2PKH/P2SH, network checks, and every address in
// the bip86.json and bip341-wallet-test-vectors.json vectors.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { createBase58check } from '@scure/base';
import { Address, OutScript } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { addressToScriptPubKey, decodeAddress, scriptPubKeyToAddress } from '../../../core/bitcoin/address.js';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { mainnet, type Network, regtest, signet, testnet, testnet4 } from '../../../core/bitcoin/networks.js';
import { vectorJson } from '../../support/vectors.js';

const byHrp = (address: string): Network => (address.toLowerCase().startsWith('bc1') ? mainnet : testnet);

// BIP350 valid segwit addresses and the scriptPubKeys they decode to.
const BIP350_VALID: [string, string][] = [
  ['BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4', '0014751e76e8199196d454941c45d1b3a323f1433bd6'],
  ['tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7', '00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262'],
  ['bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y', '5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6'],
  ['BC1SW50QGDZ25J', '6002751e'],
  ['bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs', '5210751e76e8199196d454941c45d1b3a323'],
  ['tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy', '0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433'],
  ['tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c', '5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433'],
  ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0', '512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798'],
];

// BIP350 invalid segwit addresses: [address, BIP350's reason, our code].
const BIP350_INVALID: [string, string, string][] = [
  ['tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut', 'Invalid human-readable part', 'ADDRESS_UNKNOWN_FORMAT'],
  ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd', 'Invalid checksum (Bech32 instead of Bech32m)', 'ADDRESS_BAD_CHECKSUM'],
  ['tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf', 'Invalid checksum (Bech32 instead of Bech32m)', 'ADDRESS_BAD_CHECKSUM'],
  ['BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL', 'Invalid checksum (Bech32 instead of Bech32m)', 'ADDRESS_BAD_CHECKSUM'],
  ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh', 'Invalid checksum (Bech32m instead of Bech32)', 'ADDRESS_BAD_CHECKSUM'],
  ['tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47', 'Invalid checksum (Bech32m instead of Bech32)', 'ADDRESS_BAD_CHECKSUM'],
  ['bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4', 'Invalid character in checksum', 'ADDRESS_BAD_CHARACTER'],
  ['BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R', 'Invalid witness version', 'ADDRESS_BAD_VERSION'],
  ['bc1pw5dgrnzv', 'Invalid program length (1 byte)', 'ADDRESS_BAD_LENGTH'],
  ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav', 'Invalid program length (41 bytes)', 'ADDRESS_BAD_LENGTH'],
  ['BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P', 'Invalid program length for witness version 0 (per BIP141)', 'ADDRESS_BAD_LENGTH'],
  ['tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq', 'Mixed case', 'ADDRESS_MIXED_CASE'],
  ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf', 'zero padding of more than 4 bits', 'ADDRESS_BAD_PADDING'],
  ['tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j', 'Non-zero padding in 8-to-5 conversion', 'ADDRESS_BAD_PADDING'],
  ['bc1gmk9yu', 'Empty data section', 'ADDRESS_BAD_LENGTH'],
];

// BIP173 invalid addresses that stay invalid for the same reason under BIP350 (v0 cases).
const BIP173_INVALID: [string, string, string][] = [
  ['tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty', 'Invalid human-readable part', 'ADDRESS_UNKNOWN_FORMAT'],
  ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5', 'Invalid checksum', 'ADDRESS_BAD_CHECKSUM'],
  ['tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7', 'Mixed case', 'ADDRESS_MIXED_CASE'],
  ['tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv', 'Non-zero padding in 8-to-5 conversion', 'ADDRESS_BAD_PADDING'],
  // BIP173's v1 example is bech32-encoded, so BIP350 makes it a checksum failure.
  ['bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx', 'valid under BIP173, bech32 checksum on v1 under BIP350', 'ADDRESS_BAD_CHECKSUM'],
];

describe('BIP350 valid segwit addresses', () => {
  BIP350_VALID.forEach(([address, script], i) => {
    it(`BIP350 valid address ${i}: ${address}`, () => {
      const net = byHrp(address);
      const decoded = decodeAddress(address, net);
      expect(bytesToHex(decoded.scriptPubKey)).toBe(script);
      expect(decoded.witnessVersion).toBe(script.startsWith('00') ? 0 : parseInt(script.slice(0, 2), 16) - 0x50);
      // Encoding gives back the canonical (lower case) form.
      expect(scriptPubKeyToAddress(hexToBytes(script), net)).toBe(address.toLowerCase());
    });
  });
});

describe('BIP350 / BIP173 invalid segwit addresses', () => {
  for (const [list, name] of [[BIP350_INVALID, 'BIP350'], [BIP173_INVALID, 'BIP173']] as const) {
    list.forEach(([address, reason, code], i) => {
      it(`${name} invalid address ${i}: ${reason}`, () => {
        for (const net of [mainnet, testnet]) {
          // Damage is reported before the network, so the code is the same for either network.
          const expected = code;
          expect(() => decodeAddress(address, net)).toThrow(DecodeError);
          expect(() => decodeAddress(address, net)).toThrow(expect.objectContaining({ code: expected }));
        }
      });
    });
  }
});

describe('Base58Check and network checks', () => {
  // The genesis block's coinbase pays to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa.
  it('decodes the genesis coinbase address', () => {
    const decoded = decodeAddress('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', mainnet);
    expect(decoded.type).toBe('p2pkh');
    expect(bytesToHex(decoded.payload)).toBe('62e907b15cbf27d5425399ebf6f0fb50ebb88f18');
    expect(bytesToHex(decoded.scriptPubKey)).toBe('76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac');
  });

  // HASH160 of the BIP32 test vector 1 master public key; @scure/btc-signer is the reference encoder.
  const hash = hexToBytes('3442193e1bb70916e914552172cd4e2dbc9df811');
  for (const net of [mainnet, testnet, regtest]) {
    for (const type of ['pkh', 'sh'] as const) {
      it(`${type} on ${net.name} agrees with @scure/btc-signer`, () => {
        const address = Address(net).encode({ type, hash });
        const script = OutScript.encode({ type, hash });
        const decoded = decodeAddress(address, net);
        expect(decoded.type).toBe(`p2${type}`);
        expect(bytesToHex(decoded.scriptPubKey)).toBe(bytesToHex(script));
        expect(scriptPubKeyToAddress(script, net)).toBe(address);
      });
    }
  }
  const testP2pkh = Address(testnet).encode({ type: 'pkh', hash });

  it('names both networks when an address is for another network', () => {
    expect(() => decodeAddress('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', regtest)).toThrow(/is for mainnet .*expected regtest/);
    expect(() => decodeAddress(testP2pkh, mainnet)).toThrow(/testnet\/testnet4\/signet\/regtest .*expected mainnet/);
    expect(() => decodeAddress(BIP350_VALID[7]![0], regtest)).toThrow(/is for mainnet \(prefix bc\), expected regtest \(prefix bcrt\)/);
    expect(() => decodeAddress(BIP350_VALID[6]![0], regtest)).toThrow(expect.objectContaining({ code: 'ADDRESS_WRONG_NETWORK' }));
  });

  it('accepts tb addresses on testnet, testnet4 and signet, bcrt on regtest', () => {
    for (const net of [testnet, testnet4, signet]) expect(decodeAddress(BIP350_VALID[6]![0], net).type).toBe('p2tr');
    const script = hexToBytes(BIP350_VALID[7]![1]);
    const bcrt = scriptPubKeyToAddress(script, regtest);
    expect(bcrt.startsWith('bcrt1p')).toBe(true);
    expect(bytesToHex(addressToScriptPubKey(bcrt, regtest))).toBe(BIP350_VALID[7]![1]);
  });

  it('rejects Base58 damage with specific codes', () => {
    expect(() => decodeAddress('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb', mainnet)).toThrow(expect.objectContaining({ code: 'ADDRESS_BAD_CHECKSUM' }));
    expect(() => decodeAddress('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0', mainnet)).toThrow(expect.objectContaining({ code: 'ADDRESS_UNKNOWN_FORMAT' }));
    expect(() => decodeAddress('1111', mainnet)).toThrow(expect.objectContaining({ code: 'ADDRESS_BAD_LENGTH' }));
    const b58 = createBase58check(sha256);
    // 21 bytes with a version byte no Bitcoin network uses (0x30), and 22 bytes with a valid one.
    expect(() => decodeAddress(b58.encode(Uint8Array.of(0x30, ...hash)), mainnet)).toThrow(expect.objectContaining({ code: 'ADDRESS_UNKNOWN_FORMAT' }));
    expect(() => decodeAddress(b58.encode(Uint8Array.of(0x00, ...hash, 0)), mainnet)).toThrow(expect.objectContaining({ code: 'ADDRESS_BAD_LENGTH' }));
    expect(() => decodeAddress('', mainnet)).toThrow(expect.objectContaining({ code: 'ADDRESS_UNKNOWN_FORMAT' }));
  });

  it('has no address for scripts without one', () => {
    for (const script of ['6a0568656c6c6f', '51', '0014751e76e8199196d454941c45d1b3a323f1433b', '00', `21${'02'.padEnd(66, '1')}ac`]) {
      expect(() => scriptPubKeyToAddress(hexToBytes(script), mainnet), script).toThrow(expect.objectContaining({ code: 'SCRIPT_NO_ADDRESS' }));
    }
  });
});

describe('addresses from the BIP86 and BIP341 vectors', () => {
  const bip86 = vectorJson<{ addresses: { address: string; scriptPubKey: string }[] }>('bip86.json');
  const bip341 = vectorJson<{ scriptPubKey: { expected: { scriptPubKey: string; bip350Address: string } }[] }>('bip341-wallet-test-vectors.json');
  const all = [
    ...bip86.addresses.map((a, i) => [`bip86 address ${i}`, a.address, a.scriptPubKey] as const),
    ...bip341.scriptPubKey.map((c, i) => [`bip341 scriptPubKey(${i})`, c.expected.bip350Address, c.expected.scriptPubKey] as const),
  ];
  for (const [name, address, script] of all) {
    it(`${name}: ${address}`, () => {
      const decoded = decodeAddress(address, mainnet);
      expect(decoded.type).toBe('p2tr');
      expect(bytesToHex(decoded.scriptPubKey)).toBe(script);
      expect(scriptPubKeyToAddress(hexToBytes(script), mainnet)).toBe(address);
      expect(() => decodeAddress(address.toUpperCase(), mainnet)).not.toThrow();
      expect(() => decodeAddress(address, testnet)).toThrow(expect.objectContaining({ code: 'ADDRESS_WRONG_NETWORK' }));
    });
  }
});

describe('input size bounds', () => {
  it('refuses long input before decoding it', () => {
    expect(() => decodeAddress('1'.repeat(100_000), mainnet)).toThrow(expect.objectContaining({ code: 'ADDRESS_BAD_LENGTH' }));
    expect(() => decodeAddress(`bc1${'q'.repeat(100_000)}`, mainnet)).toThrow(expect.objectContaining({ code: 'ADDRESS_BAD_LENGTH' }));
  });
});
