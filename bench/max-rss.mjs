// Preloaded into a benchmarked CLI run (node --import): reports the process's peak resident set size on exit.
process.on("exit", () => {
  process.stderr.write(`max-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
