import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

import ipaddr from 'ipaddr.js';

/**
 * Cloud metadata and platform services that sit on otherwise ordinary-looking addresses. Most others
 * (169.254.169.254, fd00:ec2::254, 100.100.100.200) already fall in link-local, ULA or CGNAT ranges.
 */
const METADATA_ADDRESSES = ['168.63.129.16' /* Azure wire server */];

/** IPv6 global unicast (2000::/3): everything a webhook may reach lives here, minus the ranges below. */
const GLOBAL_UNICAST = ipaddr.IPv6.parse('2000::');
export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS';
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, a private or reserved address; webhooks may not target it`);
    this.name = 'BlockedAddressError';
  }
}

/**
 * True unless the address is ordinary public unicast. ipaddr.js names every special range (private, loopback,
 * CGNAT, TEST-NETs, 6to4 relays, benchmarking, documentation, NAT64, Teredo, site-local…); anything it does
 * not call `unicast` is refused. IPv6 must also be global unicast, which refuses IPv4-compatible `::a.b.c.d`
 * and other embedded-IPv4 forms; only IPv4-mapped `::ffff:a.b.c.d` is judged by the IPv4 it carries.
 */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  // A zone id only makes sense on link-local or multicast addresses.
  if (family === 0 || address.includes('%')) return true;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(family === 6 ? hexIPv6(address) : address);
  } catch {
    return true;
  }
  if (parsed.kind() === 'ipv6') {
    const ipv6 = parsed as ipaddr.IPv6;
    if (ipv6.isIPv4MappedAddress()) return isBlockedIPv4(ipv6.toIPv4Address());
    return ipv6.range() !== 'unicast' || !ipv6.match(GLOBAL_UNICAST, 3);
  }
  return isBlockedIPv4(parsed as ipaddr.IPv4);
}

/**
 * ipaddr.js reads any dotted tail as IPv4-mapped (`::8.8.8.8` becomes `::ffff:808:808`); the WHATWG URL
 * serialiser writes every IPv6 address in plain hex groups, so the address is classified as it really is.
 */
function hexIPv6(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

function isBlockedIPv4(address: ipaddr.IPv4): boolean {
  return address.range() !== 'unicast' || METADATA_ADDRESSES.includes(address.toString());
}

export class InsecureWebhookUrlError extends Error {
  readonly code = 'EINSECUREWEBHOOK';
  constructor(url: string) {
    super(`${new URL(url).origin} uses http://; webhooks must use https:// (set WEBHOOK_ALLOW_HTTP=true to allow)`);
    this.name = 'InsecureWebhookUrlError';
  }
}

/** Refuses plain-http webhook URLs unless the operator allowed them: bodies carry mail and the API key. */
export function assertAllowedScheme(url: string, allowHttp: boolean): void {
  if (!allowHttp && new URL(url).protocol !== 'https:') throw new InsecureWebhookUrlError(url);
}

/**
 * A `lookup` for http(s).request that refuses blocked addresses. The check runs on the address the socket
 * will actually connect to, so a DNS answer that changes between validation and use (rebinding) fails too.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = addresses;
    const blocked = list.find((entry) => isBlockedAddress(entry.address));
    if (blocked) return callback(new BlockedAddressError(hostname, blocked.address), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    callback(null, list[0].address, list[0].family);
  });
};

/** Rejects a URL whose host is, or resolves to, a blocked address (used when a partner's URLs are saved). */
export async function assertPublicUrl(url: string): Promise<void> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    if (isBlockedAddress(host)) throw new BlockedAddressError(host, host);
    return;
  }
  await new Promise<void>((resolve, reject) =>
    publicOnlyLookup(host, { all: true }, (error) => (error ? reject(error) : resolve())),
  );
}
