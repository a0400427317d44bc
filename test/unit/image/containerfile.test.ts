import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../../src/runtime/paths.js";

// The image's pins (scripts/build-image.sh builds it; scripts/check-image.sh runs it): what the Containerfile says
// must agree with what the rest of the checkout pins, or the image would ship another Pulumi or Node than the one
// the code is tested with.
const containerfile = readFileSync(join(repoRoot, "Containerfile"), "utf8");
const buildScript = readFileSync(join(repoRoot, "scripts", "build-image.sh"), "utf8");
const arg = (name: string) => new RegExp(`^ARG ${name}=(.+)$`, "m").exec(containerfile)?.[1];

describe("the Containerfile", () => {
  it("pins the Pulumi CLI that tools/build.sh builds and the @pulumi/pulumi package drives", () => {
    const goMod = readFileSync(join(repoRoot, "tools", "pulumi", "go.mod"), "utf8");
    const pinned = /github\.com\/pulumi\/pulumi\/pkg\/v3 (v\S+)/.exec(goMod)?.[1];
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(arg("PULUMI_VERSION")).toBe(pinned);
    expect(arg("PULUMI_VERSION")).toBe(`v${pkg.dependencies["@pulumi/pulumi"]}`);
  });

  it("ships Node 20, and the build refuses another major version", () => {
    expect(arg("NODE_MAJOR")).toBe("20");
    expect(buildScript).toMatch(/\[\[ "\$node_major" == 20 \]\]/);
  });

  it("builds on the Debian 12 (bookworm) base the script makes, recorded by digest, and runs as a non-root user", () => {
    expect(arg("BASE_IMAGE")).toBe("localhost/slipway-base:bookworm");
    expect(buildScript).toMatch(/^suite=bookworm$/m);
    expect(containerfile).toMatch(/org\.opencontainers\.image\.base\.digest="\$\{BASE_DIGEST\}"/);
    expect(containerfile).toMatch(/^USER 65532:65532$/m);
    // The Pulumi CLI (static, no cgo) needs USER when the user has no passwd entry.
    expect(containerfile).toMatch(/^\s+USER=slipway \\$/m);
    expect(containerfile).toMatch(/^ENTRYPOINT \["\/usr\/local\/bin\/slipway"\]$/m);
    // No step runs a command in the image: it builds with chroot isolation and no registry.
    expect(containerfile).not.toMatch(/^RUN /m);
  });
});
