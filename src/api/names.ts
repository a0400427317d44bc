import { createHash } from "node:crypto";

/** Longest object name (a DNS-1123 subdomain) and longest label value. */
export const MAX_OBJECT_NAME = 253;
export const MAX_LABEL_VALUE = 63;

/**
 * A name derived from another (`<name>-admin-kubeconfig`) that still fits `maxLength`: any name admission
 * accepts must work everywhere it is used. Short enough, it is the plain concatenation; longer, the base is cut
 * and a hash of the whole keeps derived names of different bases apart.
 */
export function derivedName(base: string, suffix = "", maxLength = MAX_OBJECT_NAME): string {
  const plain = `${base}${suffix}`;
  if (plain.length <= maxLength) return plain;
  const hash = createHash("sha256").update(plain).digest("hex").slice(0, 10);
  const cut = base.slice(0, Math.max(1, maxLength - suffix.length - hash.length - 1)).replace(/[-.]+$/, "");
  return `${cut}-${hash}${suffix}`;
}
