/**
 * Works out the client's address. X-Forwarded-For is believed only when the connection comes
 * from a trusted proxy, and then only back to the first address that is not itself a trusted
 * proxy: anything further left was written by the client and may be a lie.
 */
export function clientAddress(
  peer: string,
  forwardedFor: string | null,
  trustedProxies: readonly string[],
): string {
  if (!forwardedFor || !isTrusted(peer, trustedProxies)) return peer;
  const hops = forwardedFor
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!isTrusted(hop, trustedProxies)) return hop;
  }
  return hops[0] ?? peer;
}

/** True when `address` equals an entry or lies in one of its IPv4 CIDR ranges. */
export function isTrusted(address: string, trustedProxies: readonly string[]): boolean {
  const normalized = address.replace(/^::ffff:(?=\d+\.)/, "");
  return trustedProxies.some((entry) => matches(normalized, entry));
}

function matches(address: string, entry: string): boolean {
  const [network = "", bitsText] = entry.split("/");
  if (bitsText === undefined) return address === network;
  // "10.0.0.1/" is no prefix length, not /0: it must trust nothing rather than everyone.
  if (!/^\d{1,2}$/.test(bitsText)) return false;
  const addressValue = ipv4Value(address);
  const networkValue = ipv4Value(network);
  const bits = Number(bitsText);
  if (addressValue === null || networkValue === null || bits > 32) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (addressValue & mask) >>> 0 === (networkValue & mask) >>> 0;
}

function ipv4Value(address: string): number | null {
  const parts = address.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}
