import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A Node script run as "another host": its own UTS namespace (`unshare --uts`) with the host name `hostname`, so
 * host-scoped identities (Pulumi lock owners, stack leases) differ from this process's. Detached: kill it with
 * `process.kill(-child.pid, ...)`. `output()` is everything it printed so far.
 */
export function spawnOnOtherHost(
  script: string,
  hostname = "worker-elsewhere",
): { child: ChildProcess; output: () => string } {
  const child = spawn(
    "unshare",
    ["--uts", "sh", "-c", `hostname ${hostname} && exec "${process.execPath}" "${script}"`],
    { detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return { child, output: () => out };
}

/**
 * The stack's checkpoint in the file backend under `stateDir` records a create still pending: the CLI writes it
 * before it calls the provider, so a run seen here is past that write.
 */
export function checkpointHasPendingCreate(stateDir: string, stackName: string): boolean {
  try {
    const file = join(stateDir, "pulumi", ".pulumi", "stacks", "slipway", `${stackName}.json`);
    const checkpoint = JSON.parse(readFileSync(file, "utf8")) as {
      checkpoint?: { latest?: { pending_operations?: { type?: string }[] } };
    };
    return (checkpoint.checkpoint?.latest?.pending_operations ?? []).some((op) => op.type === "creating");
  } catch {
    return false;
  }
}
