import * as automation from "@pulumi/pulumi/automation/index.js";
import { describe, expect, it } from "vitest";
import { PulumiCliError, StaleStackLockError, TerminalStackError } from "../../../src/errors/index.js";
import { classifyPulumiError } from "../../../src/queue/pulumi-errors.js";
import { scrubSecrets } from "../../../src/runtime/redaction.js";

/** A CommandError as the Automation API builds it from a failed CLI run (stderr holds the CLI's words). */
function cliError(stderr: string, code = 255): automation.CommandError {
  const result = {
    stdout: "",
    stderr,
    code,
    err: undefined,
    toString: () => `code: ${code}\n stdout: \n stderr: ${stderr}\n err?: \n`,
  };
  const create = (automation as unknown as { createCommandError: (r: unknown) => automation.CommandError })
    .createCommandError;
  return create(result);
}

const failedUp = (diagnostic: string) =>
  "Command failed with exit code 1: pulumi up --yes --skip-preview --stack s --non-interactive\n" +
  "Updating (s):\n" +
  ` +  pulumi-nodejs:dynamic/local:ControlPlane dev-1-control-plane **creating failed** error: ${diagnostic}\n` +
  " +  pulumi:pulumi:Stack slipway-s creating (1s) error: update failed\n" +
  "Diagnostics:\n" +
  "  pulumi-nodejs:dynamic/local:ControlPlane (dev-1-control-plane):\n" +
  `    error: ${diagnostic}\n\n` +
  "  pulumi:pulumi:Stack (slipway-s):\n    error: update failed\n";

const PEM =
  "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB0mK3lQ9Xo6l5c0\nAwEHoUQDQgAE\n-----END EC PRIVATE KEY-----";

describe("classifyPulumiError", () => {
  const table: { name: string; error: unknown; retry: boolean; reason: string; message?: string | RegExp }[] =
    [
      {
        name: "a provider's step that ended early because its run was cancelled (a delete during a provision)",
        error: cliError(failedUp("Provision cancelled after 5 s of 600 s: the run was cancelled")),
        retry: true,
        reason: "Canceled",
        message: "Provision cancelled after 5 s of 600 s: the run was cancelled",
      },
      {
        name: "a dead worker's lock on the file backend",
        error: cliError(
          "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
            "  file:///var/lib/slipway/pulumi/state/.pulumi/locks/organization/slipway/s/1a2b.json: created by root@worker-0 (pid 4242) at 2026-01-01T00:00:00Z",
        ),
        retry: true,
        reason: "StackLocked",
        message: /^the stack is currently locked by 1 lock\(s\)/,
      },
      {
        name: "a conflict on the Pulumi Cloud backend",
        error: cliError("error: [409] Conflict: Another update is currently in progress."),
        retry: true,
        reason: "StackLocked",
      },
      {
        name: "a lock the runner refused to clear",
        error: new StaleStackLockError(
          "s",
          "stack s is locked by a running update (pid 7 on this host); not clearing its lock",
        ),
        retry: true,
        reason: "StackLocked",
      },
      {
        name: "a full state folder while the CLI writes the project (not a configuration error)",
        error: cliError(
          "error: failed to load project: write /var/lib/slipway/workspaces/s/Pulumi.yaml: no space left on device",
        ),
        retry: true,
        reason: "DiskFull",
        message: /no space left on device/,
      },
      {
        name: "a full disk reported as Go's multi-error, its causes kept",
        error: cliError(
          "error: 2 errors occurred:\n\t* failed to save snapshot: write /state/.pulumi/stacks/s.json: no space left on device\n" +
            "\t* could not release the lock: write /state/.pulumi/locks/s/1.json: no space left on device\n\n",
        ),
        retry: true,
        reason: "DiskFull",
        message:
          "2 errors occurred: failed to save snapshot: write /state/.pulumi/stacks/s.json: no space left on device; " +
          "could not release the lock: write /state/.pulumi/locks/s/1.json: no space left on device",
      },
      {
        name: "an unreachable backend in a CLI command the runner runs itself (stack select --create)",
        error: new PulumiCliError(
          "stack select",
          1,
          'error: read ".pulumi/meta.yaml": blob (key ".pulumi/meta.yaml") (code=Unknown): operation error S3: ' +
            "GetObject, exceeded maximum number of attempts, 3, https response error StatusCode: 0, RequestID: , " +
            'HostID: , request send failed, Get "http://127.0.0.1:1/nowhere/.pulumi/meta.yaml": dial tcp ' +
            "127.0.0.1:1: connect: connection refused\n",
        ),
        retry: true,
        reason: "ProviderTransientError",
        message: /request send failed, Get "http:\/\/127\.0\.0\.1:1\/nowhere\//,
      },
      {
        name: "a full disk while the worker prepares the workspace",
        error: Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }),
        retry: true,
        reason: "DiskFull",
        message: "ENOSPC: no space left on device, write",
      },
      {
        name: "a quota on the backend's folder",
        error: cliError(
          "error: could not write checkpoint: open /state/pulumi/.pulumi/stacks/s.json: disk quota exceeded",
        ),
        retry: true,
        reason: "DiskFull",
      },
      {
        name: "a missing stack",
        error: cliError("error: no stack named 'ns-a-1234' found"),
        retry: true,
        reason: "StackNotFound",
      },
      {
        name: "a stack created concurrently",
        error: cliError("error: stack 'organization/slipway/s' already exists"),
        retry: true,
        reason: "StackAlreadyExists",
      },
      {
        name: "a provider timeout",
        error: cliError(
          failedUp(
            "creating EKS cluster: operation error EKS: CreateCluster, https response error: dial tcp 10.0.0.1:443: i/o timeout",
          ),
        ),
        retry: true,
        reason: "ProviderTransientError",
        message:
          "creating EKS cluster: operation error EKS: CreateCluster, https response error: dial tcp 10.0.0.1:443: i/o timeout",
      },
      {
        name: "a connection reset",
        error: cliError(failedUp("read ECONNRESET")),
        retry: true,
        reason: "ProviderTransientError",
      },
      {
        name: "a refused connection",
        error: cliError(
          failedUp(
            'Get "https://127.0.0.1:6443/readyz": dial tcp 127.0.0.1:6443: connect: connection refused',
          ),
        ),
        retry: true,
        reason: "ProviderTransientError",
      },
      {
        name: "rate limiting",
        error: cliError(
          failedUp("googleapi: Error 429: Quota exceeded for quota metric 'Queries', too many requests"),
        ),
        retry: true,
        reason: "ProviderTransientError",
      },
      {
        name: "a provider error of no known kind",
        error: cliError(
          failedUp(
            "kube-apiserver of dev-1 exited while starting; last log lines:\nbind: address already in use",
          ),
        ),
        retry: true,
        reason: "ProviderError",
        message: "kube-apiserver of dev-1 exited while starting; last log lines:",
      },
      {
        name: "the program's own validation, raised before Pulumi runs",
        error: new TerminalStackError("InvalidInputs", "local platform: dataDir must be an absolute path"),
        retry: false,
        reason: "InvalidInputs",
        message: "local platform: dataDir must be an absolute path",
      },
      {
        name: "an unknown platform",
        error: new TerminalStackError(
          "UnknownPlatform",
          'no stack program for platform "mainframe"; known: local, simulated',
        ),
        retry: false,
        reason: "UnknownPlatform",
      },
      {
        name: "the program's validation flattened by the CLI",
        error: cliError(
          "Updating (s):\n +  pulumi:pulumi:Stack p-s creating (0s) error: Unhandled exception: TerminalStackError: local platform: clusterName must be a DNS-1123 label\n" +
            "Diagnostics:\n  pulumi:pulumi:Stack (p-s):\n    error: Unhandled exception: TerminalStackError: local platform: clusterName must be a DNS-1123 label\n" +
            "        at Object.program [as init] (file:///work/main/dist/stacks/local/index.js:8:121)\n" +
            "    error: local platform: clusterName must be a DNS-1123 label\n",
        ),
        retry: false,
        reason: "InvalidInputs",
        message: "local platform: clusterName must be a DNS-1123 label",
      },
      {
        name: "missing configuration",
        error: cliError(failedUp("Missing required configuration variable 'aws:region'")),
        retry: false,
        reason: "InvalidConfiguration",
      },
      {
        name: "a wrong passphrase",
        error: cliError(
          "error: getting stack configuration: get stack secrets manager: incorrect passphrase",
        ),
        retry: false,
        reason: "SecretsProviderMisconfigured",
        message: "getting stack configuration: get stack secrets manager: incorrect passphrase",
      },
      {
        name: "a missing plugin (downloads are disabled)",
        error: cliError("error: no resource plugin 'pulumi-nodejs' found in the workspace or on your $PATH"),
        retry: false,
        reason: "PluginMissing",
      },
      {
        name: "an injected terminal failure of the simulated platform",
        error: cliError(
          failedUp("SimulatedTerminalFailure: Provision of sim-1 (attempt 1): quota exhausted"),
        ),
        retry: false,
        reason: "SimulatedTerminalFailure",
      },
      {
        name: "an unexpected error",
        error: new Error("EISDIR: illegal operation on a directory"),
        retry: true,
        reason: "UnexpectedError",
      },
    ];

  it.each(table)("$name -> $reason (retry: $retry)", ({ error, retry, reason, message }) => {
    const c = classifyPulumiError(error);
    expect(c).toMatchObject({ retry, reason });
    if (typeof message === "string") expect(c.message).toBe(message);
    if (message instanceof RegExp) expect(c.message).toMatch(message);
    expect(c.message).not.toMatch(/update failed|^code: |Command failed with exit code/m);
    expect(c.message.split("\n").length).toBeLessThanOrEqual(3);
  });

  it("never lets key material or the passphrase into the message", () => {
    const kubeconfig =
      "apiVersion: v1\nusers:\n- name: admin\n  user:\n    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJpekNDQVRHZ0F3SUJBZ0lVZmM5VTE4U3VNcDdVSVN3SURsMkw4SHFzM3Rj\n" +
      "    client-key-data: LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVFSUIwbUszbFE5WG82bDVjMEF3RUhvVVFEUWdBRQ==\n";
    const error = cliError(
      failedUp(`failed to write kubeconfig ${kubeconfig.replace(/\n/g, " ")}`) +
        `\nerror: provider said: ${PEM.replace(/\n/g, " ")}\nerror: PULUMI_CONFIG_PASSPHRASE=hunter2-hunter2 rejected, token: abc.def.ghi`,
    );
    const c = classifyPulumiError(error, { secrets: ["hunter2-hunter2"] });
    expect(c.message).not.toMatch(
      /LS0tLS1CRUdJTi|MHcCAQEEIB0mK3lQ9Xo6l5c0|hunter2|abc\.def\.ghi|PRIVATE KEY-----\s*M/,
    );
    expect(c.retry).toBe(true);

    const plain = classifyPulumiError(new Error(`could not start:\n${PEM}\nsee log`));
    expect(plain.message).toBe("could not start:\n[redacted PEM]\nsee log");
  });

  it("keeps paths, URLs and names readable", () => {
    const text =
      "dial tcp 127.0.0.1:6443 for /tmp/slipway-test-abcdef/pulumi/workspaces/team-a-dev-1-9f8e7d6c/Pulumi.yaml";
    expect(scrubSecrets(text)).toBe(text);
  });
});
