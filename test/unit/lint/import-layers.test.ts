import { join } from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../../src/runtime/paths.js";

const eslint = new ESLint({ cwd: repoRoot });

/** The import-layer messages ESLint reports for one import in a file at `path` (which need not exist). */
async function layerErrors(path: string, importPath: string): Promise<string[]> {
  const code = `import { thing } from "${importPath}";\nexport const used = thing;\n`;
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, path) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("the import-layer lint rule", () => {
  it.each([
    ["src/api/fixture.ts", "../queue/stack-queue.js", "src/api may import only src/errors, not src/queue"],
    ["src/api/fixture.ts", "../runtime/paths.js", "not src/runtime"],
    ["src/runtime/fixture.ts", "../provisioners/resources.js", "not src/provisioners"],
    ["src/queue/fixture.ts", "../pools/index.js", "not src/pools"],
    ["src/queue/fixture.ts", "../provisioners/cluster-deployment/platform.js", "not src/provisioners"],
    ["stacks/aws/fixture.ts", "../../src/queue/errors.js", "not src/queue"],
    ["src/local/fixture.ts", "../runtime/config.js", "not src/runtime"],
    ["src/pools/cluster-pool/fixture.ts", "../../provisioners/resources.js", "not src/provisioners"],
    ["src/provisioners/fixture.ts", "../cli/main.js", "not src/cli"],
    ["src/dev/fixture.ts", "../cli/claim.js", "not src/cli"],
    ["src/dev/fixture.ts", "../bench/bench-environment.js", "not src/bench"],
    ["src/queue/fixture.ts", "../bench/pulumi-bench.js", "not src/bench"],
    ["src/failover/fixture.ts", "../bench/power-simulator.js", "not src/bench"],
    ["src/bench/fixture.ts", "../cli/program.js", "src/bench may import only"],
    ["src/bench/fixture.ts", "../cli/processes.js", "not src/cli"],
    ["src/api/fixture.ts", "../../stacks/aws/schema.js", "not stacks"],
    ["src/api/platform.ts", "../../stacks/aws/schema.js", "not stacks"],
    ["src/api/platform.ts", "../../stacks/index.js", "not stacks"],
    ["src/api/platform.ts", "../../stacks/aws/cluster.js", "not stacks"],
  ])("fails %s importing %s", async (path, importPath, says) => {
    const errors = await layerErrors(path, importPath);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(says);
  });

  it.each([
    ["src/api/fixture.ts", "../errors/index.js"],
    ["src/api/fixture.ts", "./common.js"],
    ["src/queue/fixture.ts", "../runtime/kube-client.js"],
    ["src/queue/fixture.ts", "../../stacks/index.js"],
    ["stacks/aws/fixture.ts", "../../src/api/index.js"],
    ["stacks/aws/fixture.ts", "../../src/local/control-plane.js"],
    ["stacks/aws/fixture.ts", "../cluster-component.js"],
    ["src/pools/cluster-pool/fixture.ts", "../../queue/stack-queue.js"],
    ["src/provisioners/cluster-deployment/fixture.ts", "../../../stacks/index.js"],
    ["src/cli/fixture.ts", "../provisioners/cluster-deployment/controller.js"],
    ["src/cli/fixture.ts", "../bench/bench-claims.js"],
    ["src/bench/fixture.ts", "../dev/environment.js"],
    ["src/bench/fixture.ts", "../failover/index.js"],
    ["src/bench/fixture.ts", "../queue/pulumi-runner.js"],
    ["src/bench/fixture.ts", "../cli/hub-client.js"],
    ["src/bench/fixture.ts", "./pulumi-bench.js"],
    ["stacks/aws/fixture.ts", "../../src/api/platforms/aws.js"],
  ])("lets %s import %s", async (path, importPath) => {
    expect(await layerErrors(path, importPath)).toEqual([]);
  });
});
