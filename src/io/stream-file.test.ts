import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { issuesOf } from "../../test/helpers/issues.ts";
import { withStreamedFile } from "./stream-file.ts";

describe("withStreamedFile", () => {
  it("makes the file visible only when complete, and leaves nothing when the body fails", () => {
    const dir = mkdtempSync(join(tmpdir(), "llmsim-stream-"));
    withStreamedFile(join(dir, "ok.json"), (write) => write("[1]"));
    expect(readFileSync(join(dir, "ok.json"), "utf8")).toBe("[1]");
    expect(() =>
      withStreamedFile(join(dir, "failed.json"), (write) => {
        write("[");
        throw new Error("simulation failed");
      }),
    ).toThrow("simulation failed");
    expect(readdirSync(dir)).toEqual(["ok.json"]);
  });
  it("refuses a directory or a missing directory as an input error, writing nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "llmsim-stream-"));
    mkdirSync(join(dir, "taken.json"));
    expect(issuesOf(() => withStreamedFile(join(dir, "taken.json"), () => 0))[0]?.message).toBe(
      "cannot write: this is a directory",
    );
    expect(issuesOf(() => withStreamedFile(join(dir, "none", "t.json"), () => 0))[0]?.message).toMatch(
      /the directory .*none does not exist/,
    );
    expect(readdirSync(dir)).toEqual(["taken.json"]);
  });
});
