/**
 * Bitcoin network parameters: address prefixes (bech32 HRP, base58 version bytes), WIF and BIP32
 * version bytes, BIP44 coin type and genesis block hash for mainnet, testnet3, testnet4, signet and
 * regtest (the Playground).
 *
 * Not here: consensus rules, ports or seeds — only what keys and addresses need.
 * Sources: Bitcoin Core `src/kernel/chainparams.cpp`, BIP32 (serialization format),
 * BIP44 / SLIP-44 (coin types), BIP173 (HRPs).
 *
 * testnet3, testnet4 and signet share every prefix (`tb`, 0x6f/0xc4, tpub/tprv), so an address or
 * extended key alone cannot tell them apart; regtest differs only in its HRP (`bcrt`).
 */

export type NetworkName = 'mainnet' | 'testnet' | 'testnet4' | 'signet' | 'regtest';

export interface Network {
  readonly name: NetworkName;
  /** BIP173 human-readable part of segwit addresses. */
  readonly bech32: string;
  /** Base58Check version byte of P2PKH addresses. */
  readonly pubKeyHash: number;
  /** Base58Check version byte of P2SH addresses. */
  readonly scriptHash: number;
  /** Base58Check version byte of WIF private keys. */
  readonly wif: number;
  /** BIP32 serialization version bytes (xpub/xprv on mainnet, tpub/tprv elsewhere). */
  readonly bip32: { readonly public: number; readonly private: number };
  /** BIP44 coin type: 0 on mainnet, 1 on every test network. */
  readonly coinType: 0 | 1;
  /** Genesis block hash, hex in RPC byte order. */
  readonly genesisHash: string;
}

const MAIN_BIP32 = Object.freeze({ public: 0x0488b21e, private: 0x0488ade4 });
const TEST_BIP32 = Object.freeze({ public: 0x043587cf, private: 0x04358394 });

function testLike(name: NetworkName, bech32: string, genesisHash: string): Network {
  return Object.freeze({
    name,
    bech32,
    pubKeyHash: 0x6f,
    scriptHash: 0xc4,
    wif: 0xef,
    bip32: TEST_BIP32,
    coinType: 1,
    genesisHash,
  });
}

export const mainnet: Network = Object.freeze({
  name: 'mainnet',
  bech32: 'bc',
  pubKeyHash: 0x00,
  scriptHash: 0x05,
  wif: 0x80,
  bip32: MAIN_BIP32,
  coinType: 0,
  genesisHash: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
});
export const testnet: Network = testLike(
  'testnet',
  'tb',
  '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943',
);
export const testnet4: Network = testLike(
  'testnet4',
  'tb',
  '00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043',
);
export const signet: Network = testLike(
  'signet',
  'tb',
  '00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6',
);
export const regtest: Network = testLike(
  'regtest',
  'bcrt',
  '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
);

export const NETWORKS: Readonly<Record<NetworkName, Network>> = Object.freeze({
  mainnet,
  testnet,
  testnet4,
  signet,
  regtest,
});

/** Looks a network up by name; throws RangeError naming the accepted names. */
export function networkByName(name: string): Network {
  const found = (NETWORKS as Record<string, Network | undefined>)[name];
  if (!found) {
    throw new RangeError(`"network" expected one of ${Object.keys(NETWORKS).join(', ')}, got ${JSON.stringify(name)}`);
  }
  return found;
}

/**
 * Describes which networks use the given prefix, for error messages: networks sharing prefixes
 * are named together ("testnet/testnet4/signet").
 */
export function networksLabel(match: (n: Network) => boolean): string {
  const names = Object.values(NETWORKS)
    .filter(match)
    .map((n) => n.name);
  return names.length > 0 ? names.join('/') : 'no known network';
}

