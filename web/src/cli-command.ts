import { CUSTOM_MODEL, predictorFileName, STEP_FORM_FIELDS, type State, type View } from "./state.ts";

/** The `llmsim` command that reproduces a view, and the files it reads (the pasted config, custom hardware). */
export interface CliCommand {
  readonly command: string;
  /** The arguments after `llmsim`. */
  readonly args: readonly string[];
  readonly files: readonly { readonly name: string; readonly text: string }[];
}

/** Quotes a shell word when it holds anything but safe characters. */
export const shellWord = (word: string): string =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;

const kebab = (key: string) => key.replace(/GBps$/, "Gbps").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `--flag value` when the field is set (its trimmed text: the CLI parses it as the web does). */
function opt(args: string[], flag: string, value: string): void {
  if (value.trim() !== "") args.push(flag, value.trim());
}

function modelAndHardware(
  state: State,
  args: string[],
  files: CliCommand["files"][number][],
  hardware: boolean,
) {
  opt(args, "--model", state.model);
  if (state.model === CUSTOM_MODEL) files.push({ name: CUSTOM_MODEL, text: state.modelText });
  if (hardware) opt(args, "--hardware", state.hardware);
  if (state.hardwareText.trim() !== "") {
    args.push("--hardware-file", "hardware.json");
    files.push({ name: "hardware.json", text: state.hardwareText });
  }
}

function stepArgs(state: State, args: string[]) {
  for (const key of STEP_FORM_FIELDS) opt(args, `--${kebab(key)}`, state[key]);
  if (state.ignoreMemory === "true") args.push("--ignore-memory");
  predictorArgs(state, args);
}

/** `--predictor calibrated:<file>` for the predictor file the page loaded (the user has the file). */
function predictorArgs(state: State, args: string[]) {
  if (state.predictor !== "") args.push("--predictor", `calibrated:${predictorFileName(state.predictor)}`);
}

function epArgs(state: State, args: string[]) {
  opt(args, "--preset", state.preset);
  opt(args, "--gpus", state.gpus);
}

function decodeArgs(state: State, args: string[]) {
  epArgs(state, args);
  const lists: [string, string][] = [
    ["--batch-sizes", state.batchSizes],
    ["--tp", state.tps],
    ["--ep", state.eps],
    ["--seq-len", state.seqLen],
    ["--decode-len", state.decodeLen],
    ["--tps-limit", state.tpsLimit],
  ];
  for (const [flag, value] of lists) opt(args, flag, value);
  if (state.fp8Combine === "true") args.push("--fp8-combine");
}

/** The command line for a view; `format` adds --csv or --json (what the tests run). */
export function cliCommand(view: View, state: State, format?: "csv" | "json"): CliCommand {
  const args: string[] = ["llmsim"];
  const files: CliCommand["files"][number][] = [];
  switch (view) {
    case "step":
      args.push("step");
      modelAndHardware(state, args, files, true);
      stepArgs(state, args);
      break;
    case "compare":
      args.push("compare");
      modelAndHardware(state, args, files, true);
      stepArgs(state, args);
      for (const [key, field] of [
        ["hardware", "bHardware"],
        ["tp", "bTp"],
        ["dp", "bDp"],
        ["ep", "bEp"],
        ["batch", "bBatch"],
      ] as const)
        if (state[field].trim() !== "") args.push("--b", `${key}=${state[field].trim()}`);
      break;
    case "decode":
      args.push("decode-sweep");
      modelAndHardware(state, args, files, false);
      decodeArgs(state, args);
      if (state.decodeView === "summary") args.push("--view", "summary");
      break;
    case "sweep":
      args.push("decode-sweep");
      modelAndHardware(state, args, files, false);
      decodeArgs(state, args);
      opt(args, "--sweep", state.sweep);
      opt(args, "--metric", state.sweepMetric);
      opt(args, "--chart-by", state.sweepBy);
      if (!format) args.push("--chart", "sweep.svg");
      break;
    case "prefill":
      args.push("prefill-breakdown");
      modelAndHardware(state, args, files, false);
      epArgs(state, args);
      opt(args, "--seq-len", state.seqLen);
      opt(args, "--kv-cache-rate", state.kvCacheRate);
      opt(args, "--tp", state.prefillTp);
      opt(args, "--dp", state.prefillDp);
      break;
    case "serve": {
      args.push("serve");
      opt(args, "--model", state.serveModel);
      if (state.serveModel === CUSTOM_MODEL) files.push({ name: CUSTOM_MODEL, text: state.modelText });
      if (state.hardwareText.trim() !== "") {
        args.push("--hardware-file", "hardware.json");
        files.push({ name: "hardware.json", text: state.hardwareText });
      }
      opt(args, "--hardware", state.serveHardware);
      const flags: [string, string][] = [
        ["--tp", state.serveTp],
        ["--dp", state.serveDp],
        ["--ep", state.serveEp],
        ["--weight-dtype", state.serveWeightDtype],
        ["--kv-dtype", state.serveKvDtype],
        ["--all-reduce", state.serveAllReduce],
        ...((state.serveMode === "disaggregated"
          ? [
              ["--prefill-replicas", state.prefillReplicas],
              ["--decode-replicas", state.decodeReplicas],
              ["--prefill-hardware", state.prefillHardware],
              ["--decode-hardware", state.decodeHardware],
              ["--prefill-tp", state.prefillTpServe],
              ["--decode-tp", state.decodeTpServe],
            ]
          : [["--replicas", state.replicas]]) as [string, string][]),
        ["--rate", state.arrival === "burst" ? "" : state.rate],
        ["--requests", state.requests],
        ["--arrival", state.arrival],
        ["--prompt-tokens", state.promptTokens],
        ["--output-tokens", state.outputTokens],
        ["--scheduler", state.scheduler],
        ["--host-overhead-ms", state.hostOverheadMs],
        ["--slo-ttft-ms", state.sloTtftMs],
        ["--slo-tpot-ms", state.sloTpotMs],
        ["--seed", state.seed],
      ];
      for (const [flag, value] of flags) opt(args, flag, value);
      predictorArgs(state, args);
      if (!format)
        args.push(
          "--cdf-chart",
          "cdf.svg",
          "--throughput-chart",
          "throughput.svg",
          "--timeline-chart",
          "timeline.svg",
        );
      break;
    }
    case "plan": {
      args.push("plan");
      opt(args, "--model", state.planModel);
      if (state.planModel === CUSTOM_MODEL) files.push({ name: CUSTOM_MODEL, text: state.modelText });
      if (state.hardwareText.trim() !== "") {
        args.push("--hardware-file", "hardware.json");
        files.push({ name: "hardware.json", text: state.hardwareText });
      }
      const flags: [string, string][] = [
        ["--hardware", state.planHardware],
        ["--gpus", state.planGpus],
        ["--isl", state.isl],
        ["--osl", state.osl],
        ["--rate", state.planRate],
        ["--ttft-ms", state.ttftMs],
        ["--tpot-ms", state.tpotMs],
      ];
      for (const [flag, value] of flags) opt(args, flag, value);
      if (!format) args.push("--chart", "pareto.svg");
      break;
    }
  }
  if (format) args.push(`--${format}`);
  return { command: args.map(shellWord).join(" "), args: args.slice(1), files };
}
