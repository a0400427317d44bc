import { spawn } from "node:child_process";
import { join } from "node:path";

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the kubectl built in tools/bin (never one from PATH) against the given kubeconfig. */
export function kubectl(
  binDir: string,
  kubeconfig: string,
  args: string[],
  input?: string,
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(binDir, "kubectl"), ["--kubeconfig", kubeconfig, ...args], {
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    if (child.stdin) {
      // A kubectl that ends before reading all of its input (a refused manifest, a dead API server) closes the
      // pipe: EPIPE here is not an error of ours, and unhandled it would end this process. Its exit code says why.
      child.stdin.on("error", () => undefined);
      child.stdin.end(input);
    }
  });
}

export async function kubectlOrThrow(
  binDir: string,
  kubeconfig: string,
  args: string[],
  input?: string,
): Promise<string> {
  const r = await kubectl(binDir, kubeconfig, args, input);
  if (r.code !== 0)
    throw new Error(`kubectl ${args.join(" ")} failed: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}
