/**
 * Last line of defence for free text that leaves the process (Event messages, condition messages, errors
 * copied into status): removes what looks like secret material. Code should not put secrets in messages in the
 * first place; this catches the error message of a library that echoed its input.
 */
const patterns: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g, "[redacted PEM block]"],
  [/(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/g, "$1 [redacted]"],
  [
    /((?:password|passphrase|passwd|token|secret|api[_-]?key|access[_-]?key|private[_-]?key|[\w-]*key-data)[\w-]*["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;"'}]+)/gi,
    "$1[redacted]",
  ],
  // Long base64 runs are kubeconfigs, keys or tokens far more often than anything a person needs to read.
  [/[A-Za-z0-9+/]{120,}={0,2}/g, "[redacted blob]"],
];

export function scrubSecrets(text: string): string {
  let result = text;
  for (const [pattern, replacement] of patterns) result = result.replace(pattern, replacement);
  return result;
}

/** Scrubs and shortens text for API fields with size limits (Event notes: 1 KiB; condition messages: 32 KiB). */
export function safeMessage(text: string, maxLength = 1024): string {
  const scrubbed = scrubSecrets(text);
  return scrubbed.length <= maxLength ? scrubbed : `${scrubbed.slice(0, maxLength - 3)}...`;
}
