import { writeFileSync } from "node:fs";
import type { Command } from "@commander-js/extra-typings";
import { timelineOf, timelineSpec } from "../../core/report/trace-timeline.ts";
import { parseJsonText, readText } from "../../io/files.ts";
import { svgToPng, vegaLiteToSvg } from "../../io/render-chart.ts";
import { chartFile, positiveNumber } from "../options.ts";

export function registerTraceTimeline(program: Command): void {
  program
    .command("trace-timeline")
    .description(
      "Draw a Chrome/Perfetto trace (llmsim serve --trace, dejavu --do_traces) as a timeline chart, SVG or PNG",
    )
    .argument("<trace.json>", "trace file")
    .requiredOption("--out <file>", "chart file (.svg or .png)", chartFile)
    .option("--from-ms <ms>", "window start (default 0)", positiveNumber(true))
    .option("--to-ms <ms>", "window end (default: the whole trace)", positiveNumber())
    .option("--title <text>", "chart title")
    .action(async (file, options) => {
      const trace = parseJsonText(readText(file, "trace"), file);
      const timeline = timelineOf(trace, options.fromMs ?? 0, options.toMs ?? Number.POSITIVE_INFINITY);
      const svg = await vegaLiteToSvg(timelineSpec(timeline, options.title));
      writeFileSync(options.out, options.out.toLowerCase().endsWith(".png") ? svgToPng(svg, 1800) : svg);
    });
}
