import { Command, CommanderError } from "@commander-js/extra-typings";
import { InputError } from "../core/issues.ts";
import { registerAfd } from "./commands/afd.ts";
import { registerCalibrate } from "./commands/calibrate.ts";
import { registerCompare } from "./commands/compare.ts";
import { registerDecodeSweep } from "./commands/decode-sweep.ts";
import { registerDejavu } from "./commands/dejavu.ts";
import { registerHardware } from "./commands/hardware.ts";
import { registerLargeEp } from "./commands/large-ep.ts";
import { registerMerge } from "./commands/merge.ts";
import { registerModel } from "./commands/model.ts";
import { registerModels } from "./commands/models.ts";
import { registerOp } from "./commands/op.ts";
import { registerOps } from "./commands/ops.ts";
import { registerPlan } from "./commands/plan.ts";
import { registerPrefillBreakdown } from "./commands/prefill-breakdown.ts";
import { registerServe } from "./commands/serve.ts";
import { registerSimulate } from "./commands/simulate.ts";
import { registerStep } from "./commands/step.ts";
import { registerTraceTimeline } from "./commands/trace-timeline.ts";
import { registerValidate } from "./commands/validate.ts";
import { registerValidateRequests } from "./commands/validate-requests.ts";
import { registerWeb } from "./commands/web.ts";
import { EXIT_RESULT, EXIT_USAGE, reportIssues } from "./errors.ts";

/** Builds the `llmsim` command tree. */
export function buildProgram(): Command {
  const program = new Command()
    .name("llmsim")
    .description("Predict LLM inference latency, throughput and memory on accelerators and clusters")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerModels(program);
  registerModel(program);
  registerHardware(program);
  registerStep(program);
  registerWeb(program);
  registerCompare(program);
  registerOp(program);
  registerOps(program);
  registerSimulate(program);
  registerAfd(program);
  registerLargeEp(program);
  registerDecodeSweep(program);
  registerPrefillBreakdown(program);
  registerDejavu(program);
  registerServe(program);
  registerPlan(program);
  registerMerge(program);
  registerTraceTimeline(program);
  registerCalibrate(program);
  registerValidate(program);
  registerValidateRequests(program);
  const overrideAll = (command: Command) => {
    command.exitOverride();
    for (const sub of command.commands) overrideAll(sub as unknown as Command);
  };
  for (const command of program.commands) overrideAll(command as unknown as Command);
  return program;
}

/** Runs the CLI; returns the exit code. Input errors exit 2 without a stack trace. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof InputError) {
      reportIssues(error.issues);
      return EXIT_USAGE;
    }
    if (error instanceof CommanderError) {
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
      )
        return 0;
      return EXIT_USAGE;
    }
    process.stderr.write(`llmsim: error: ${(error as Error).message}\n`);
    if (process.env.LLMSIM_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    return EXIT_RESULT;
  }
}
