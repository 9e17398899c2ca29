import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook may never reach: link-local (where cloud metadata services answer: 169.254.169.254,
 * fd00:ec2::254 on AWS) and the unspecified address. Checked when a webhook is saved (for literal addresses and
 * well-known metadata names) and again for every address a host name resolves to at delivery time.
 */
const blocked = new BlockList();
blocked.addSubnet('169.254.0.0', 16, 'ipv4');
blocked.addSubnet('0.0.0.0', 8, 'ipv4');
blocked.addSubnet('fe80::', 10, 'ipv6');
blocked.addAddress('fd00:ec2::254', 'ipv6');
blocked.addAddress('::', 'ipv6');

const BLOCKED_NAMES = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

/** True when `address` (an IP literal, IPv6 possibly in brackets or IPv4-mapped) may not be contacted. */
export function isBlockedAddress(address: string): boolean {
  let text = address.replace(/^\[|\]$/g, '').split('%')[0]!;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped) text = mapped[1]!;
  const family = isIP(text);
  if (family === 0) return false;
  return blocked.check(text, family === 4 ? 'ipv4' : 'ipv6');
}

/** True when a URL's host names a blocked address or a well-known metadata host. */
export function isBlockedHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return BLOCKED_NAMES.has(host) || isBlockedAddress(host);
}
