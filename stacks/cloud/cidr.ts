/** IPv4 CIDR arithmetic for the subnets a cluster's network is cut into. */

function parse(cidr: string): { base: number; prefix: number } {
  const [address, prefixText] = cidr.split("/");
  const octets = (address ?? "").split(".").map(Number);
  const prefix = Number(prefixText);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255))
    throw new Error(`${cidr} is not an IPv4 CIDR`);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`${cidr} is not an IPv4 CIDR`);
  const base = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  return { base: base - (base % size), prefix };
}

function format(n: number, prefix: number): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256);
  return `${octets.join(".")}/${prefix}`;
}

export function prefixLength(cidr: string): number {
  return parse(cidr).prefix;
}

/** The index-th subnet of `cidr` that is `newBits` longer (Terraform's cidrsubnet). */
export function cidrSubnet(cidr: string, newBits: number, index: number): string {
  const { base, prefix } = parse(cidr);
  const length = prefix + newBits;
  if (length > 32 || index < 0 || index >= 2 ** newBits)
    throw new Error(`${cidr} has no subnet ${index} of /${length}`);
  return format(base + index * 2 ** (32 - length), length);
}

/** `count` equal subnets of `cidr`, as large as they can be. */
export function splitCidr(cidr: string, count: number): string[] {
  const newBits = Math.ceil(Math.log2(Math.max(1, count)));
  return Array.from({ length: count }, (_, i) => cidrSubnet(cidr, newBits, i));
}

/** `inner` lies wholly inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parse(outer);
  const i = parse(inner);
  return i.prefix >= o.prefix && i.base - (i.base % 2 ** (32 - o.prefix)) === o.base;
}
