import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensurePki } from "../../src/local/pki.js";
import { PKI_FILES, type ControlPlaneLayout, type PkiFile } from "./manifests.js";

/** A fresh control plane PKI (PEM text by file name) and the client certificates the kubeconfigs carry. */
export interface ControlPlanePki {
  files: Record<PkiFile, string>;
  clients: Record<"admin" | "controllerManager" | "scheduler", { cert: string; key: string }>;
}

/**
 * Makes a PKI the way a local control plane's is made (src/local/pki.ts: a CA, the serving certificate with the
 * Service's names and the hosted cluster's `kubernetes` Service IP, the service-account key pair, client
 * certificates), in a private temporary folder that is removed at once: the keys live only in the management
 * cluster's Secrets and the stack's encrypted state.
 */
export async function generatePki(clusterName: string, layout: ControlPlaneLayout): Promise<ControlPlanePki> {
  const dir = await mkdtemp(join(tmpdir(), "slipway-hcp-pki-"));
  try {
    const paths = await ensurePki(join(dir, "pki"), clusterName, {
      extraDnsNames: layout.servingDnsNames,
      extraIpAddresses: layout.servingIpAddresses,
    });
    const read = (path: string) => readFile(path, "utf8");
    const files = Object.fromEntries(
      await Promise.all(PKI_FILES.map(async (file) => [file, await read(join(dir, "pki", file))] as const)),
    ) as Record<PkiFile, string>;
    return {
      files,
      clients: {
        admin: { cert: await read(paths.adminCert), key: await read(paths.adminKey) },
        controllerManager: {
          cert: await read(paths.controllerManagerCert),
          key: await read(paths.controllerManagerKey),
        },
        scheduler: { cert: await read(paths.schedulerCert), key: await read(paths.schedulerKey) },
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
