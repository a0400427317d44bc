/**
 * Kubernetes resource quantities as the scheduler compares them: cpu in millicores, memory in bytes. Only what
 * pod requests and node capacities use (decimal and binary suffixes, "m"); an unreadable value counts as 0 so a
 * typo in one pod never stops the autoscaler for the rest.
 */
const suffixes: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

export function parseQuantity(text: string | number | undefined): number {
  if (text === undefined) return 0;
  if (typeof text === "number") return text;
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(text.trim());
  if (!match) return 0;
  const factor = suffixes[match[2]!];
  return factor === undefined ? 0 : Number(match[1]) * factor;
}

export const cpuMilli = (text: string | number | undefined) => Math.round(parseQuantity(text) * 1000);
export const bytes = (text: string | number | undefined) => Math.round(parseQuantity(text));
