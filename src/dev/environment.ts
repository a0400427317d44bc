import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SlipwayConfig } from "../runtime/config.js";
import { crdDir, ocmCrdDir } from "../runtime/paths.js";
import { LocalControlPlane } from "../local/control-plane.js";
import { kubectlOrThrow } from "../local/kubectl.js";
import { LocalRedis } from "./redis.js";

export const REQUIRED_TOOLS = ["etcd", "kube-apiserver", "kube-controller-manager", "kubectl", "pulumi"] as const;

export interface DevStatus {
  hub: Awaited<ReturnType<LocalControlPlane["status"]>>;
  redis: { url?: string; pid?: number; alive: boolean; external: boolean };
  kubeconfig: string;
}

/**
 * The embedded default: a real hub (etcd + kube-apiserver + kube-controller-manager) with Slipway's and OCM's
 * CRDs, and Redis, all on loopback ports under the state folder. A second `up` reuses the data and ports.
 */
export class DevEnvironment {
  readonly hub: LocalControlPlane;
  readonly redis: LocalRedis;
  readonly kubeconfigPath: string;

  constructor(private readonly config: SlipwayConfig) {
    this.hub = new LocalControlPlane({
      name: "slipway-hub",
      dataDir: join(config.stateDir, "hub"),
      binDir: config.toolsBinDir,
      controllerManager: true,
    });
    this.redis = new LocalRedis(join(config.stateDir, "redis"));
    this.kubeconfigPath = join(config.stateDir, "kubeconfig");
  }

  missingTools(): string[] {
    return REQUIRED_TOOLS.filter((t) => !existsSync(join(this.config.toolsBinDir, t)));
  }

  async up(opts: { detached: boolean; log: (line: string) => void }): Promise<{ kubeconfig: string; redisUrl: string; apiURL: string }> {
    const missing = this.missingTools();
    if (missing.length > 0) {
      throw new Error(`missing ${missing.join(", ")} in ${this.config.toolsBinDir}: run \`bash tools/build.sh\` first`);
    }
    await mkdir(this.config.stateDir, { recursive: true });
    const redisUrl = this.config.redisUrl ?? (await this.redis.start({ detached: opts.detached }));
    opts.log(`Redis ready at ${redisUrl}${this.config.redisUrl ? " (from REDIS_URL)" : ""}`);
    const { apiURL } = await this.hub.start({ detached: opts.detached });
    await copyFile(this.hub.kubeconfigPath, this.kubeconfigPath);
    opts.log(`Hub API server ready at ${apiURL}`);
    await this.installCrds();
    opts.log("Slipway and OCM CRDs installed and Established");
    await writeFile(join(this.config.stateDir, "dev.json"), JSON.stringify({ redisUrl, apiURL, kubeconfig: this.kubeconfigPath }, null, 2));
    return { kubeconfig: this.kubeconfigPath, redisUrl, apiURL };
  }

  async installCrds(): Promise<void> {
    const bin = this.config.toolsBinDir;
    const kc = this.kubeconfigPath;
    if (!existsSync(ocmCrdDir)) throw new Error(`OCM CRDs are missing in ${ocmCrdDir}: run \`bash tools/build.sh\``);
    await kubectlOrThrow(bin, kc, ["apply", "--server-side", "--force-conflicts", "--field-manager=slipway-dev", "-f", crdDir, "-f", ocmCrdDir]);
    await kubectlOrThrow(bin, kc, ["wait", "--for=condition=Established", "--timeout=60s", "crd", "--all"]);
    const ns = await kubectlOrThrow(bin, kc, ["create", "namespace", "slipway-system", "--dry-run=client", "-o", "yaml"]);
    await kubectlOrThrow(bin, kc, ["apply", "-f", "-"], ns);
  }

  async down(): Promise<void> {
    await this.hub.stop();
    await this.redis.stop();
  }

  async status(): Promise<DevStatus> {
    const redis = await this.redis.status();
    return {
      hub: await this.hub.status(),
      redis: { ...redis, url: this.config.redisUrl ?? redis.url, external: this.config.redisUrl !== undefined },
      kubeconfig: this.kubeconfigPath,
    };
  }

  async recordedRedisUrl(): Promise<string | undefined> {
    const file = join(this.config.stateDir, "dev.json");
    if (!existsSync(file)) return undefined;
    return (JSON.parse(await readFile(file, "utf8")) as { redisUrl?: string }).redisUrl;
  }
}
