// Writes schemas/*.json from the Zod schemas (npm run schemas); test/schemas.test.ts checks they are current.
import { writeFileSync } from "node:fs";
import { jsonSchemas } from "../src/config/json-schemas.ts";

for (const [file, schema] of Object.entries(jsonSchemas())) {
  writeFileSync(new URL(`../schemas/${file}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
  process.stdout.write(`schemas/${file}\n`);
}
