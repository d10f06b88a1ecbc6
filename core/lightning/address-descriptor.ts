/**
 * BOLT 7 address descriptors (1-byte type, then data), as carried by `init`'s `remote_addr`.
 * Known types decode to their parts; a type this code does not know keeps its raw bytes, since
 * the record is `...*byte` and a newer peer may legitimately send one. Addresses stay bytes: turning
 * them into text or sockets is the dialer's job.
 *
 * Spec: https://github.com/lightning/bolts/blob/master/07-routing-gossip.md#the-node_announcement-message
 */
import { DecodeError } from '../bitcoin/errors.js';
import { type Codec, bytes, u16 } from './codec.js';

export type AddressDescriptor =
  | { type: 'ipv4'; addr: Uint8Array; port: number }
  | { type: 'ipv6'; addr: Uint8Array; port: number }
  | { type: 'torv3'; addr: Uint8Array; port: number }
  | { type: 'dns'; hostname: string; port: number }
  | { type: 'other'; descriptorType: number; data: Uint8Array };

const sized = { ipv4: [1, 4], ipv6: [2, 16], torv3: [4, 35] } as const;

export const addressDescriptor: Codec<AddressDescriptor> = {
  minSize: 1,
  maxSize: Infinity,
  write: (w, v, field) => {
    switch (v.type) {
      case 'ipv4':
      case 'ipv6':
      case 'torv3': {
        const [code, len] = sized[v.type];
        w.u8(code);
        bytes(len).write(w, v.addr, `${field}.addr`);
        return u16.write(w, v.port, `${field}.port`);
      }
      case 'dns': {
        const host = new TextEncoder().encode(v.hostname);
        if (host.length === 0 || host.length > 255 || host.some((c) => c > 0x7f)) {
          throw new RangeError(`"${field}.hostname" expected 1..255 ASCII characters, got ${JSON.stringify(v.hostname)}`);
        }
        w.u8(5);
        w.u8(host.length);
        w.bytes(host);
        return u16.write(w, v.port, `${field}.port`);
      }
      case 'other':
        if ([1, 2, 4, 5].includes(v.descriptorType)) {
          throw new RangeError(`"${field}.descriptorType" ${v.descriptorType} is a known type; use its own form`);
        }
        w.u8(v.descriptorType);
        return w.bytes(v.data);
    }
  },
  read: (r, field) => {
    const code = r.u8(field);
    switch (code) {
      case 1:
        return { type: 'ipv4', addr: r.bytes(4, field), port: r.u16(field) };
      case 2:
        return { type: 'ipv6', addr: r.bytes(16, field), port: r.u16(field) };
      case 4:
        return { type: 'torv3', addr: r.bytes(35, field), port: r.u16(field) };
      case 5: {
        const host = r.bytes(r.u8(field), field);
        if (host.length === 0 || host.some((c) => c > 0x7f)) {
          throw new DecodeError('invalid_hostname', `"${field}" DNS hostname must be 1..255 ASCII bytes`);
        }
        return { type: 'dns', hostname: new TextDecoder().decode(host), port: r.u16(field) };
      }
      default:
        return { type: 'other', descriptorType: code, data: r.rest() };
    }
  },
};
