#!/usr/bin/env node
// Thin launcher: runs the built CLI (npm run build writes dist/).
import { main } from "../dist/cli/main.js";

// A reader that stops early (`llmsim validate | head`) closes the pipe: that ends the run, quietly.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
