import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SlipwayConfig } from "../runtime/config.js";

/**
 * The Pulumi passphrase: from configuration (SLIPWAY_PULUMI_PASSPHRASE, e.g. mounted from a Secret) or, for the
 * embedded default, a random one kept in the state folder (mode 0600) so every worker of this machine shares it.
 */
export function resolvePassphrase(config: SlipwayConfig): string {
  if (config.pulumi.passphrase) return config.pulumi.passphrase;
  const file = join(config.stateDir, "pulumi-passphrase");
  if (!existsSync(file)) {
    mkdirSync(config.stateDir, { recursive: true });
    writeFileSync(file, randomBytes(24).toString("base64url"), { mode: 0o600, flag: "wx" });
  }
  return readFileSync(file, "utf8").trim();
}
