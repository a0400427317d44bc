import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors/index.js";
import type { SlipwayConfig } from "../runtime/config.js";

/**
 * The Pulumi passphrase: from configuration (SLIPWAY_PULUMI_PASSPHRASE, e.g. mounted from a Secret) or, for the
 * embedded default, a random one kept in the state folder (mode 0600) so every worker of this machine shares it.
 * Undefined with a KMS secrets provider. A shared backend (s3://, gs://, azblob://) is read by workers on other
 * machines, which could not decrypt with one machine's random passphrase: there it must be configured.
 */
export function resolvePassphrase(config: SlipwayConfig): string | undefined {
  if (config.pulumi.secretsProvider !== "passphrase") return undefined;
  if (config.pulumi.passphrase) return config.pulumi.passphrase;
  if (!config.pulumi.backendUrl.startsWith("file://"))
    throw new ConfigError(
      "a shared Pulumi backend needs SLIPWAY_PULUMI_PASSPHRASE (the same on every worker) or a KMS secrets " +
        "provider (SLIPWAY_PULUMI_SECRETS_PROVIDER=awskms://...): a passphrase kept on one machine cannot decrypt " +
        "the state on another",
    );
  const file = join(config.stateDir, "pulumi-passphrase");
  if (!existsSync(file)) {
    mkdirSync(config.stateDir, { recursive: true });
    writeFileSync(file, randomBytes(24).toString("base64url"), { mode: 0o600, flag: "wx" });
  }
  return readFileSync(file, "utf8").trim();
}
