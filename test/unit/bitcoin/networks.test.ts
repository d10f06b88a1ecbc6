// Network parameters: each genesis hash is recomputed from its header (Bitcoin Core chainparams:
// satoshi's coinbase for mainnet/testnet3/signet/regtest, BIP94's for testnet4), and the prefixes
// are checked against @scure/btc-signer's mainnet/testnet constants and BIP32's version bytes.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { NETWORK, TEST_NETWORK } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { mainnet, type Network, NETWORKS, networkByName, regtest, signet, testnet, testnet4 } from '../../../core/bitcoin/networks.js';
import { pushData } from '../../../core/bitcoin/script-number.js';

const sha256d = (b: Uint8Array) => sha256(sha256(b));
const u32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};

function coinbase(message: string, outputScript: Uint8Array): Uint8Array {
  // scriptSig: CScript() << 486604799 << CScriptNum(4) << message; a CScriptNum is pushed as
  // bytes (01 04), not as OP_4.
  const scriptSig = concatBytes(pushData(hexToBytes('ffff001d')), Uint8Array.of(1, 4), pushData(utf8ToBytes(message)));
  return concatBytes(
    u32(1),
    Uint8Array.of(1),
    new Uint8Array(32),
    u32(0xffffffff),
    Uint8Array.of(scriptSig.length),
    scriptSig,
    u32(0xffffffff),
    Uint8Array.of(1),
    hexToBytes('00f2052a01000000'), // 50 BTC
    Uint8Array.of(outputScript.length),
    outputScript,
    u32(0),
  );
}

const SATOSHI = coinbase(
  'The Times 03/Jan/2009 Chancellor on brink of second bailout for banks',
  concatBytes(
    pushData(hexToBytes('04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f')),
    Uint8Array.of(0xac),
  ),
);
const TESTNET4 = coinbase(
  '03/May/2024 000000000000000000001ebd58c244970b3aa9d783bb001011fbe8ea8e98e00e',
  concatBytes(pushData(new Uint8Array(33)), Uint8Array.of(0xac)),
);

const GENESIS: [Network, Uint8Array, number, number, number][] = [
  [mainnet, SATOSHI, 1231006505, 0x1d00ffff, 2083236893],
  [testnet, SATOSHI, 1296688602, 0x1d00ffff, 414098458],
  [testnet4, TESTNET4, 1714777860, 0x1d00ffff, 393743547],
  [signet, SATOSHI, 1598918400, 0x1e0377ae, 52613770],
  [regtest, SATOSHI, 1296688602, 0x207fffff, 2],
];

describe('network parameters', () => {
  for (const [net, tx, time, bits, nonce] of GENESIS) {
    it(`${net.name} genesis hash is the hash of its genesis header`, () => {
      const merkleRoot = sha256d(tx);
      const header = concatBytes(u32(1), new Uint8Array(32), merkleRoot, u32(time), u32(bits), u32(nonce));
      expect(bytesToHex(sha256d(header).reverse())).toBe(net.genesisHash);
    });
  }

  it('mainnet genesis merkle root is the well-known one', () => {
    expect(bytesToHex(sha256d(SATOSHI).reverse())).toBe('4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b');
  });

  it('prefixes match @scure/btc-signer and BIP32', () => {
    for (const key of ['bech32', 'pubKeyHash', 'scriptHash', 'wif'] as const) {
      expect(mainnet[key]).toBe(NETWORK[key]);
      for (const net of [testnet, testnet4, signet]) expect(net[key]).toBe(TEST_NETWORK[key]);
    }
    expect(regtest.bech32).toBe('bcrt');
    expect(mainnet.bip32).toEqual({ public: 0x0488b21e, private: 0x0488ade4 });
    for (const net of [testnet, testnet4, signet, regtest]) {
      expect(net.bip32).toEqual({ public: 0x043587cf, private: 0x04358394 });
      expect(net.coinType).toBe(1);
    }
    expect(mainnet.coinType).toBe(0);
  });

  it('looks networks up by name', () => {
    for (const name of Object.keys(NETWORKS)) expect(networkByName(name).name).toBe(name);
    expect(() => networkByName('testnet5')).toThrow(/"network" expected one of mainnet, testnet, testnet4, signet, regtest/);
  });
});
