import { describe, expect, it } from "vitest";
import { safeMessage, scrubSecrets } from "../../../src/runtime/redaction.js";

describe("scrubSecrets", () => {
  it("removes PEM blocks, bearer tokens and key=value secrets", () => {
    const text = [
      "auth failed: Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.abc.def",
      "password=hunter2 token: s3cr3t",
      '{"clientSecret": "xyz"}',
      "client-key-data: LS0tLS1CRUdJTi",
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
    ].join("\n");
    const scrubbed = scrubSecrets(text);
    for (const secret of ["eyJhbGci", "hunter2", "s3cr3t", "xyz", "LS0tLS1CRUdJTi", "MIIEow"])
      expect(scrubbed).not.toContain(secret);
    expect(scrubbed).toContain("auth failed");
  });

  it("removes long base64 runs such as an inlined kubeconfig", () => {
    expect(scrubSecrets(`kubeconfig ${"QUJD".repeat(60)} end`)).toBe("kubeconfig [redacted blob] end");
  });

  it("leaves ordinary messages alone and cuts long ones", () => {
    expect(scrubSecrets("Stack up for generation 4 finished in 12s")).toBe(
      "Stack up for generation 4 finished in 12s",
    );
    expect(safeMessage("a word ".repeat(300), 100)).toHaveLength(100);
  });
});
