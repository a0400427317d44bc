import { existsSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import type { SlipwayConfig } from "../runtime/config.js";
import { KubeClient } from "../runtime/kube-client.js";

/** A client for the hub named by the configuration (the dev hub's kubeconfig by default). */
export function hubClient(config: SlipwayConfig): KubeClient {
  if (!existsSync(config.kubeconfig)) {
    throw new Error(
      `no hub kubeconfig at ${config.kubeconfig}: start the dev hub with \`slipway dev up\` or set SLIPWAY_KUBECONFIG`,
    );
  }
  const kc = new KubeConfig();
  kc.loadFromFile(config.kubeconfig);
  return new KubeClient(kc);
}

/** Left-aligned columns, like kubectl's tables. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]! + 3))
      .join("")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

export function age(timestamp: string | Date | undefined, now = Date.now()): string {
  if (!timestamp) return "<unknown>";
  const s = Math.max(0, Math.floor((now - new Date(timestamp).getTime()) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** A 20-character progress bar: [#########-----------] 45% */
export function progressBar(percent: number): string {
  const p = Math.max(0, Math.min(100, Math.round(percent)));
  const filled = Math.round(p / 5);
  return `[${"#".repeat(filled)}${"-".repeat(20 - filled)}] ${p}%`;
}
