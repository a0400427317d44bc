const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration as the API admits it (30m, 8h, 1h30m, 1.5h; no days) into milliseconds. */
export function parseDuration(text: string): number {
  const pattern = /([0-9]+(?:\.[0-9]+)?)(ns|us|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(pattern)) {
    total += Number(match[1]) * unitMs[match[2]!]!;
    consumed += match[0].length;
  }
  if (text.length === 0 || consumed !== text.length)
    throw new Error(`"${text}" is not a duration such as 30m, 8h or 1h30m`);
  return total;
}

/** RFC 3339 with second precision, the way metav1.Time is stored. */
export function apiTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
