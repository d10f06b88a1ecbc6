/**
 * The `wallet.*` API methods: thin glue from validated params to the wallet modules. Money paths
 * follow one rule: a transaction is written to the wallet file (persist) before it is broadcast
 * (send), so a crash after broadcast never loses track of it.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Transaction } from '@scure/btc-signer';
import { randomInt } from 'node:crypto';
import { ApiError } from '../api/errors.js';
import type { walletMethods } from '../api/wallet.js';
import type { PsbtAnalysis, SendDraft } from '../api/wallet.js';
import { decodeAddress } from '../bitcoin/address.js';
import { withChecksum } from '../bitcoin/descriptor/index.js';
import { antiFeeSniping } from '../bitcoin/fee-sniping.js';
import { exportLabels, parseLabels } from '../bitcoin/labels.js';
import { NETWORKS } from '../bitcoin/networks.js';
import { decodePsbt, encodePsbtBase64, extractTransaction, finalizePsbt, combinePsbts } from '../bitcoin/psbt.js';
import { readTx } from '../chain/block.js';
import { ChainError } from '../chain/source.js';
import { recordOutgoing } from '../wallet/sync.js';
import { buildBump, buildCancel, buildCpfp, buildPayment, type Built } from '../wallet/send.js';
import { outpointKey } from '../wallet/tx-graph.js';
import { addressInfo, addressOf, history, labelsFrom, txDetail, utxos } from '../wallet/views.js';
import type { Handlers } from './api-server.js';
import type { ChainManager } from './chain-manager.js';
import type { OpenWallet, WalletService } from './wallet-service.js';

type WalletHandlers = Pick<Handlers, keyof typeof walletMethods>;

function netOf(w: OpenWallet) {
  return NETWORKS[w.network];
}

function labelsOf(w: OpenWallet) {
  return labelsFrom(w.store.labels());
}

/** Drafts and sends run on the wallet's own network only. */
function requireNetwork(w: OpenWallet, chain: ChainManager): void {
  if (chain.network !== w.network) {
    throw new ApiError('CHAIN_UNAVAILABLE', `this wallet is for ${w.network} but the blockchain source is ${chain.network ?? 'not connected'}; switch the source in Settings`);
  }
}

/** Builds the review data and remembers what the user reviewed, keyed by the transaction id. */
function draftOf(w: OpenWallet, built: Built, labels: readonly string[]): SendDraft {
  const { psbt, selection } = built;
  const network = netOf(w);
  const inputs = selection.inputs.map((c) => {
    const coin = w.data.graph().ownedIncludingInactive(c.txid, c.vout)!;
    return { outpoint: outpointKey(c.txid, c.vout), value: Number(c.value), address: w.account.output(coin.script.chain, coin.script.index).address ?? '' };
  });
  let paymentNo = 0;
  const outputs = Array.from({ length: psbt.outputsLength }, (_, i) => {
    const out = psbt.getOutput(i);
    const change = i === built.changeIndex;
    const label = change ? '' : (labels[paymentNo++] ?? '');
    return { address: addressOf(out.script!, network) ?? bytesToHex(out.script!), value: Number(out.amount!), change, label };
  });
  w.store.saveDraft(
    psbt.id,
    { replaces: built.replaces, labels: outputs.flatMap((o, vout) => (o.label ? [{ vout, label: o.label }] : [])) },
    Math.floor(Date.now() / 1000),
  );
  return {
    psbt: encodePsbtBase64(psbt),
    inputs,
    outputs,
    fee: Number(selection.fee),
    feeRate: Math.round((Number(selection.fee) / selection.vsize) * 100) / 100,
    vsize: selection.vsize,
    algorithm: selection.algorithm,
    replaces: built.replaces,
  };
}

function buildContext(w: OpenWallet, tip: { height: number; time: number }) {
  return {
    data: w.data,
    account: w.account,
    changeIndex: w.reserveChangeIndex(),
    lockTime: antiFeeSniping({ tip, now: Math.floor(Date.now() / 1000), randomInt }).lockTime,
    randomInt: (bound: number) => randomInt(bound),
    frozen: w.store.frozen(),
  };
}

function requireKeys(w: OpenWallet) {
  if (w.summary().kind === 'watch') throw new ApiError('CONFLICT', 'this is a watch-only wallet: export the PSBT and sign it with the device that holds the keys');
  if (!w.keys) throw new ApiError('WALLET_LOCKED', 'the wallet is locked: unlock it with your passphrase to sign');
  return w.keys;
}

/** Signs what it can; throws nothing for a PSBT that has no input of ours (signed = 0). */
function sign(w: OpenWallet, psbt: Transaction): number {
  return requireKeys(w).signPsbt(psbt);
}

export function walletHandlers(service: WalletService, chain: ChainManager): WalletHandlers {
  const tipInfo = async () => {
    const source = chain.source();
    const tip = await source.tip();
    return { height: tip.height, time: (await source.header(tip.hash)).time };
  };

  /**
   * Persist, then broadcast. A transaction that spends coins of a pending send of ours must have
   * been reviewed as replacing it (a bump or cancel draft); only a rejection by the node undoes
   * the record — after a timeout the node may well have it, and the next sync settles which.
   */
  const recordAndBroadcast = (w: OpenWallet, raw: Uint8Array) =>
    w.serialize(async () => {
      requireNetwork(w, chain);
      const txid = readTx(raw).txid;
      const known = w.data.txs.get(txid);
      if (known?.block) return { txid };
      if (!known || known.state !== 'active') {
        const conflicts = w.data.conflictsOf(readTx(raw).inputs, txid);
        const confirmed = conflicts.find((t) => t.block);
        if (confirmed) throw new ApiError('CONFLICT', `its coins were already spent by ${confirmed.txid}, confirmed in block ${confirmed.block!.height}`);
        const reviewed = new Set(w.store.draft(txid)?.replaces ?? []);
        const unexpected = conflicts.filter((t) => !reviewed.has(t.txid));
        if (unexpected.length) {
          throw new ApiError(
            'CONFLICT',
            `this transaction spends coins of your pending send ${unexpected.map((t) => t.txid).join(', ')}; to replace that send, use Bump fee or Cancel on it, or prepare this payment again`,
          );
        }
        const cs = recordOutgoing(w.data, { txid, raw }, Math.floor(Date.now() / 1000));
        w.apply(cs);
        for (const { vout, label } of w.store.draft(txid)?.labels ?? []) w.store.setLabel('output', outpointKey(txid, vout), label);
        try {
          await chain.source().broadcast(raw);
        } catch (err) {
          if (err instanceof ChainError && err.code === 'REJECTED') {
            w.apply({ txUpdates: [{ txid, state: 'conflicted' }, ...(cs.txUpdates ?? []).map((u) => ({ txid: u.txid, state: 'active' as const }))] });
            throw err;
          }
          throw new ApiError('CHAIN_UNAVAILABLE', `the transaction is saved but the broadcast could not be confirmed (${(err as Error).message}); Tapdesk broadcasts it again at the next sync`);
        }
        return { txid };
      }
      // Already recorded and pending: hand it to the node again (harmless when it has it).
      await chain.source().broadcast(raw);
      return { txid };
    });

  const afterBroadcast = (w: OpenWallet) => {
    service.notifyChanged(w.id);
    void service.sync(w.id).catch(() => {});
  };

  return {
    'wallet.list': () => service.list(),
    'wallet.generateMnemonic': ({ words }) => service.generateMnemonic(words),
    'wallet.create': (p) => service.create(p),
    'wallet.restore': (p) => service.restore(p),
    'wallet.importWatchOnly': (p) => service.importWatchOnly(p),
    'wallet.unlock': ({ walletId, passphrase }) => service.unlock(walletId, passphrase),
    'wallet.lock': ({ walletId }) => service.lock(walletId, 'user'),
    'wallet.changePassphrase': ({ walletId, oldPassphrase, newPassphrase }) => service.changePassphrase(walletId, oldPassphrase, newPassphrase),
    'wallet.showMnemonic': ({ walletId, passphrase }) => service.showMnemonic(walletId, passphrase),
    'wallet.rename': ({ walletId, name }) => service.rename(walletId, name),
    'wallet.setGapLimit': ({ walletId, gapLimit }) => service.setGapLimit(walletId, gapLimit),
    'wallet.delete': ({ walletId, confirmName }) => service.delete(walletId, confirmName),

    'wallet.exportDescriptors': async ({ walletId, format }) => {
      const w = service.use(walletId);
      const s = w.summary();
      const base = s.name.replace(/[^A-Za-z0-9_-]+/g, '-');
      const [receive, change] = [0, 1].map((branch) => w.account.text.replace(/#.*$/, '').replaceAll('<0;1>', String(branch)));
      if (format === 'text') return { format, content: w.account.text + '\n', filename: `${base}-descriptor.txt` };
      if (format === 'core') {
        // Core rescans from this time: the birthday block's, or the genesis (0) when unknown.
        const birthday = w.store.meta().birthdayHeight;
        let timestamp = 0;
        try {
          if (birthday > 0) timestamp = (await chain.source().header(birthday)).time - 7200;
        } catch {
          timestamp = 0;
        }
        const entries = [
          { desc: withChecksum(receive!), active: true, internal: false },
          { desc: withChecksum(change!), active: true, internal: true },
        ].map((e) => ({ ...e, timestamp, range: [0, 999] }));
        return { format, content: JSON.stringify(entries, null, 2) + '\n', filename: `${base}-importdescriptors.json` };
      }
      // Sparrow reads a plain file holding the output descriptor (File → Import Wallet → Output Descriptor).
      return { format, content: `# Tapdesk wallet "${s.name}" (${s.network})\n${w.account.text}\n`, filename: `${base}-sparrow.txt` };
    },

    'wallet.balance': ({ walletId }) => service.use(walletId).balance(),
    'wallet.sync': ({ walletId, full }) => service.sync(walletId, full),

    'wallet.receive': ({ walletId, label, amount, message }) => {
      const w = service.use(walletId);
      const used = w.data.usedScripts();
      const gap = w.store.meta().gapLimit;
      // The next address never handed out and never paid; past the gap, the oldest unused one instead.
      let index = w.store.revealed(0);
      const lastUsed = w.data.lastUsed(0);
      const gapWarning = index - (lastUsed + 1) >= gap;
      if (gapWarning) {
        index = lastUsed + 1;
        while (used.has(bytesToHex(w.account.script(0, index)))) index++;
      } else {
        while (used.has(bytesToHex(w.account.script(0, index)))) index++;
        w.store.setRevealed(0, index + 1);
      }
      const address = w.account.output(0, index).address ?? '';
      if (label) w.store.setLabel('addr', address, label);
      return { ...addressInfo(w.account, 0, index, used, labelsOf(w), { ...(amount !== undefined && { amount }), ...(label && { label }), ...(message && { message }) }), gapWarning };
    },

    'wallet.addresses': ({ walletId, chain: which }) => {
      const w = service.use(walletId);
      const used = w.data.usedScripts();
      const labels = labelsOf(w);
      const out = [];
      for (const c of [0, 1] as const) {
        if (which && which !== (c === 0 ? 'receive' : 'change')) continue;
        const shown = Math.max(w.store.revealed(c), w.data.lastUsed(c) + 1);
        for (let i = 0; i < shown; i++) out.push(addressInfo(w.account, c, i, used, labels));
      }
      return out;
    },

    'wallet.checkAddress': ({ walletId, address }) => {
      const w = service.use(walletId);
      const decoded = decodeAddress(address, netOf(w));
      const spk = bytesToHex(decoded.scriptPubKey);
      const mine = w.data.scripts.has(spk);
      return { valid: true as const, type: decoded.type, mine, used: mine && w.data.usedScripts().has(spk) };
    },

    'wallet.utxos': ({ walletId }) => {
      const w = service.use(walletId);
      return utxos(w.data, w.account, w.store.frozen(), labelsOf(w));
    },

    'wallet.setFrozen': ({ walletId, outpoints, frozen }) => {
      const w = service.use(walletId);
      const known = new Set(w.data.graph().owned.keys());
      const unknown = outpoints.filter((o) => !known.has(o));
      if (unknown.length) throw new ApiError('NOT_FOUND', `not a coin of this wallet: ${unknown.join(', ')}`);
      w.store.setFrozen(outpoints, frozen);
      service.notifyChanged(walletId);
      return utxos(w.data, w.account, w.store.frozen(), labelsOf(w));
    },

    'wallet.setLabel': ({ walletId, type, ref, label }) => {
      const w = service.use(walletId);
      w.store.setLabel(type, ref, label);
      service.notifyChanged(walletId);
      return { ok: true as const };
    },

    'wallet.exportLabels': ({ walletId }) => {
      const w = service.use(walletId);
      const rows = w.store.labels();
      const frozen = w.store.frozen();
      const jsonl = exportLabels([
        ...rows.map((r) => ({ type: r.type, ref: r.ref, label: r.label, ...(r.origin && { origin: r.origin }), ...(r.type === 'output' && { spendable: !frozen.has(r.ref) }) })),
        // Frozen coins without a label still export their spendable flag.
        ...[...frozen].filter((o) => !rows.some((r) => r.type === 'output' && r.ref === o)).map((o) => ({ type: 'output', ref: o, spendable: false })),
      ]);
      return { jsonl, count: jsonl === '' ? 0 : jsonl.trimEnd().split('\n').length, filename: `${w.summary().name.replace(/[^A-Za-z0-9_-]+/g, '-')}-labels.jsonl` };
    },

    'wallet.importLabels': ({ walletId, jsonl }) => {
      const w = service.use(walletId);
      const records = parseLabels(jsonl);
      let imported = 0;
      let ignored = 0;
      w.store.db.transaction(() => {
        for (const r of records) {
          if (!['tx', 'addr', 'output', 'input'].includes(r.type)) {
            ignored++;
            continue;
          }
          if (r.label !== undefined) w.store.setLabel(r.type, r.ref, r.label, r.origin ?? null);
          if (r.type === 'output' && r.spendable !== undefined) w.store.setFrozen([r.ref], !r.spendable);
          imported++;
        }
      })();
      service.notifyChanged(walletId);
      return { imported, ignored };
    },

    'wallet.history': ({ walletId, search, limit, offset }) => {
      const w = service.use(walletId);
      const all = history(w.data, labelsOf(w), search);
      return { entries: all.slice(offset, offset + limit), total: all.length };
    },

    'wallet.tx': ({ walletId, txid }) => {
      const w = service.use(walletId);
      const tx = w.data.txs.get(txid);
      if (!tx) throw new ApiError('NOT_FOUND', `transaction ${txid} is not in this wallet`);
      return txDetail(tx, w.data, w.account, labelsOf(w));
    },

    'wallet.feeEstimates': async ({ walletId }) => {
      service.use(walletId);
      const est = await chain.source().feeEstimates();
      const pick = (targets: number[], fallback: number) => {
        for (const t of targets) if (est[t] !== undefined) return Math.max(1, Math.round(est[t]! * 10) / 10);
        return fallback;
      };
      return { fast: pick([1, 2], 20), normal: pick([6, 4, 3], 10), slow: pick([144, 72, 24, 12], 2), source: chain.backendKind === 'esplora' ? 'Esplora fee estimates' : 'Bitcoin Core estimatesmartfee' };
    },

    'wallet.prepareSend': async ({ walletId, recipients, feeRate, inputs }) => {
      const w = service.use(walletId);
      requireNetwork(w, chain);
      const network = netOf(w);
      if (recipients.filter((r) => r.amount === 'max').length > 1) throw new ApiError('INVALID_INPUT', 'only one recipient can receive the maximum');
      const outputs = recipients.map((r, i) => {
        try {
          return { script: decodeAddress(r.address, network).scriptPubKey, amount: r.amount === 'max' ? ('max' as const) : BigInt(r.amount) };
        } catch (err) {
          throw new ApiError('INVALID_INPUT', `recipient ${i + 1}: ${(err as Error).message}`);
        }
      });
      const built = buildPayment(buildContext(w, await tipInfo()), { outputs, feeRate, ...(inputs && { inputs }) });
      return draftOf(w, built, recipients.map((r) => r.label ?? ''));
    },

    'wallet.bumpFee': async ({ walletId, txid, feeRate }) => {
      const w = service.use(walletId);
      requireNetwork(w, chain);
      return draftOf(w, buildBump(buildContext(w, await tipInfo()), txid, feeRate), []);
    },
    'wallet.cancelTx': async ({ walletId, txid, feeRate }) => {
      const w = service.use(walletId);
      requireNetwork(w, chain);
      return draftOf(w, buildCancel(buildContext(w, await tipInfo()), txid, feeRate), []);
    },
    'wallet.cpfp': async ({ walletId, txid, feeRate }) => {
      const w = service.use(walletId);
      requireNetwork(w, chain);
      // An incoming parent's fee is not ours to know from its inputs; the node's mempool knows it.
      const parent = w.data.txs.get(txid);
      const knownFee = parent ? w.data.graph().fee(parent) : null;
      const parentFee = knownFee ?? (await chain.source().mempoolEntry(txid))?.fee ?? null;
      return draftOf(w, buildCpfp(buildContext(w, await tipInfo()), txid, feeRate, parentFee), []);
    },

    'wallet.signPsbt': ({ walletId, psbt }) => {
      const w = service.use(walletId);
      const tx = decodePsbt(psbt);
      const signed = sign(w, tx);
      service.keysUsed(w);
      return { psbt: encodePsbtBase64(tx), complete: isComplete(tx), signed };
    },

    'wallet.broadcast': async ({ walletId, psbt }) => {
      const w = service.use(walletId);
      const raw = /^[0-9a-fA-F]+$/.test(psbt.trim()) && !psbt.trim().toLowerCase().startsWith('70736274ff') ? hexRaw(psbt) : finalized(decodePsbt(psbt));
      const result = await recordAndBroadcast(w, raw);
      afterBroadcast(w);
      return result;
    },

    'wallet.send': async ({ walletId, psbt }) => {
      const w = service.use(walletId);
      const tx = decodePsbt(psbt);
      sign(w, tx);
      service.keysUsed(w);
      const result = await recordAndBroadcast(w, finalized(tx));
      afterBroadcast(w);
      return result;
    },

    'wallet.analyzePsbt': ({ walletId, psbt }) => analyze(service.use(walletId), decodePsbt(psbt)),

    'wallet.combinePsbts': ({ walletId, psbts }) => {
      service.use(walletId);
      return { psbt: encodePsbtBase64(combinePsbts(psbts.map((p) => decodePsbt(p)))) };
    },
  };
}

function hexRaw(text: string): Uint8Array {
  const raw = new Uint8Array(Buffer.from(text.trim(), 'hex'));
  readTx(raw); // a DecodeError here says the hex is not a transaction
  return raw;
}

function isComplete(tx: Transaction): boolean {
  try {
    const copy = tx.clone();
    finalizePsbt(copy);
    return true;
  } catch {
    return false;
  }
}

function finalized(tx: Transaction): Uint8Array {
  try {
    finalizePsbt(tx);
  } catch (err) {
    throw new ApiError('INVALID_INPUT', `the PSBT is not fully signed yet: ${(err as Error).message}`);
  }
  return extractTransaction(tx);
}

function analyze(w: OpenWallet, tx: Transaction): PsbtAnalysis {
  const network = netOf(w);
  const graph = w.data.graph();
  let inputTotal = 0n;
  let allKnown = true;
  let signable = 0;
  const inputs = Array.from({ length: tx.inputsLength }, (_, i) => {
    const input = tx.getInput(i);
    const txid = bytesToHex(input.txid!);
    const vout = input.index!;
    const prev = input.witnessUtxo ?? null;
    if (prev) inputTotal += prev.amount;
    else allKnown = false;
    const mine = !!graph.ownedIncludingInactive(txid, vout) || !!(prev && w.data.scripts.has(bytesToHex(prev.script)));
    const signed = !!(input.tapKeySig || input.tapScriptSig?.length || input.finalScriptWitness?.length || input.partialSig?.length);
    if (mine && !signed && w.keys) signable++;
    return { outpoint: outpointKey(txid, vout), value: prev ? Number(prev.amount) : null, address: prev ? addressOf(prev.script, network) : null, mine, signed };
  });
  let outputTotal = 0n;
  const outputs = Array.from({ length: tx.outputsLength }, (_, i) => {
    const out = tx.getOutput(i);
    outputTotal += out.amount!;
    return { address: addressOf(out.script!, network), value: Number(out.amount!), mine: w.data.scripts.has(bytesToHex(out.script!)) };
  });
  const fee = allKnown ? Number(inputTotal - outputTotal) : null;
  let vsize: number | null = null;
  try {
    const copy = tx.clone();
    finalizePsbt(copy);
    vsize = copy.vsize;
  } catch {
    vsize = null;
  }
  return { inputs, outputs, fee, feeRate: fee !== null && vsize ? Math.round((fee / vsize) * 100) / 100 : null, complete: vsize !== null, signable };
}
