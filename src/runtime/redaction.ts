/**
 * The one secret scrubber: the last line of defence for free text that leaves the process (log lines, Event
 * messages, condition messages, classified Pulumi errors). Code should not put secrets in messages in the first
 * place; this catches the error message of a library or a CLI that echoed its input.
 */
const KEY_NAMES =
  "password|passphrase|passwd|token|secret|api[_-]?key|access[_-]?key|private[_-]?key|[\\w-]*key-data|" +
  "client-certificate-data|certificate-authority-data|kubeconfig|PULUMI_CONFIG_PASSPHRASE|PULUMI_ACCESS_TOKEN|" +
  "AWS_SECRET_ACCESS_KEY";

const patterns: Array<[RegExp, string | ((match: string, ...groups: string[]) => string)]> = [
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g, "[redacted PEM]"],
  [/(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/g, "$1 [redacted]"],
  // `key: value`, `key=value`, `"key": "value"`: the key is kept so a person still sees what was there.
  [
    new RegExp(`((?:${KEY_NAMES})[\\w-]*["']?\\s*[:=]\\s*)("[^"]*"|'[^']*'|[^\\s,;"'}]+)`, "gi"),
    "$1[redacted]",
  ],
  // Long base64 runs are kubeconfigs, keys or tokens far more often than anything a person needs to read; a run
  // of one character class (a long path segment, a hex digest) is left alone.
  [
    /[A-Za-z0-9+/]{60,}={0,2}/g,
    (run: string) =>
      run.length >= 120 || (/[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run))
        ? "[redacted blob]"
        : run,
  ],
];

/** Removes secret material from text; `known` are values the caller knows are secret (a passphrase, say). */
export function scrubSecrets(text: string, known: readonly string[] = []): string {
  let result = text;
  for (const secret of known) {
    if (secret && secret.length >= 4) result = result.split(secret).join("[redacted]");
  }
  for (const [pattern, replacement] of patterns)
    result = result.replace(pattern, replacement as (match: string, ...groups: string[]) => string);
  return result;
}

/** Scrubs and shortens text for API fields with size limits (Event notes: 1 KiB; condition messages: 32 KiB). */
export function safeMessage(text: string, maxLength = 1024): string {
  const scrubbed = scrubSecrets(text);
  return scrubbed.length <= maxLength ? scrubbed : `${scrubbed.slice(0, maxLength - 3)}...`;
}
