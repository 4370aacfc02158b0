import { isIP } from 'node:net';

import ipaddr from 'ipaddr.js';

/** True for `localhost`, `*.localhost` and loopback addresses (127.0.0.0/8, ::1, IPv4-mapped loopback). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (!isIP(bare)) return false;
  const address = ipaddr.process(bare);
  return address.range() === 'loopback';
}
