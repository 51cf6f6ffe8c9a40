import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { jsonSchemas } from "../src/config/json-schemas.ts";

describe("schemas/*.json", () => {
  it("match the Zod schemas (run `npm run schemas` after changing them)", () => {
    for (const [file, schema] of Object.entries(jsonSchemas())) {
      const onDisk = JSON.parse(readFileSync(new URL(`../schemas/${file}`, import.meta.url), "utf8"));
      expect(onDisk, file).toEqual(JSON.parse(JSON.stringify(schema)));
    }
  });
});
