import type { Command } from "@commander-js/extra-typings";
import { InputError } from "../../core/issues.ts";
import {
  buildFamilies,
  fitErrors,
  type HoldOut,
  holdOutErrors,
  type OpErrors,
  summarizeErrors,
  withoutCorrection,
} from "../../core/predictor/calibrate.ts";
import { familyVariant } from "../../core/predictor/features.ts";
import { familyPredictor } from "../../core/predictor/measured.ts";
import { toPredictorDocument } from "../../core/predictor/predictor-file.ts";
import { rooflinePredictor } from "../../core/predictor/roofline.ts";
import { writeFilesAtomically } from "../../io/files.ts";
import { loadHardwareRegistry } from "../../io/hardware.ts";
import { loadMeasurements, MEASUREMENT_FORMATS } from "../../io/measurements/load.ts";
import { hardwareLookup } from "../../io/predictor.ts";
import { collectiveShapeOf, heldOutShapes, loadSuites, opShapeKey, suiteFiles } from "../../io/validation.ts";
import { fixed } from "../format/numbers.ts";
import { renderCsv, renderJson, renderTable } from "../format/table.ts";
import { intAtLeast, nameList, outputFile, outputFormat } from "../options.ts";

function holdOutOf(value: string | undefined, seed: number): HoldOut | null {
  if (value === undefined) return null;
  if (value === "group") return { by: "group" };
  const fraction = Number(value);
  if (Number.isFinite(fraction) && fraction > 0 && fraction < 1) return { by: "fraction", fraction, seed };
  throw new InputError([
    {
      code: "invalid-value",
      path: ["--hold-out"],
      message: `expected "group" or a fraction in (0, 1), got "${value}"`,
      allowed: ["group", "0.2"],
    },
  ]);
}

interface ReportRow {
  readonly hardware: string;
  readonly op: string;
  readonly dtype: string;
  /** In-sample error of the fitted curves alone (the grid reproduces its own points). */
  readonly curve: ReturnType<typeof summarizeErrors>;
  /** The default roofline's error on the same rows: what calibration buys. */
  readonly roofline: ReturnType<typeof summarizeErrors>;
  readonly heldOut: ReturnType<typeof summarizeErrors> | null;
}

/** One row per (hardware, op, dtype), then one pooled "all" row per accelerator. */
function reportRows(
  curve: readonly OpErrors[],
  roofline: readonly OpErrors[],
  heldOut: readonly OpErrors[] | null,
): ReportRow[] {
  const key = (e: OpErrors) => `${e.hardware}\u0000${e.op}\u0000${e.dtype}`;
  const held = new Map((heldOut ?? []).map((e) => [key(e), e]));
  const analytic = new Map(roofline.map((e) => [key(e), e]));
  const rows: ReportRow[] = curve.map((e) => {
    const h = held.get(key(e));
    const r = analytic.get(key(e)) as OpErrors;
    return {
      hardware: e.hardware,
      op: e.op,
      dtype: e.dtype,
      curve: summarizeErrors(e.signed, e.outsideEnvelope, e.noData),
      roofline: summarizeErrors(r.signed, r.outsideEnvelope, r.noData),
      heldOut: h ? summarizeErrors(h.signed, h.outsideEnvelope, h.noData) : null,
    };
  });
  for (const hardware of [...new Set(curve.map((e) => e.hardware))]) {
    const pool = (list: readonly OpErrors[]) => {
      const mine = list.filter((e) => e.hardware === hardware);
      return summarizeErrors(
        mine.flatMap((e) => e.signed),
        mine.reduce((n, e) => n + e.outsideEnvelope, 0),
        mine.reduce((n, e) => n + e.noData, 0),
      );
    };
    rows.push({
      hardware,
      op: "all",
      dtype: "",
      curve: pool(curve),
      roofline: pool(roofline),
      heldOut: heldOut ? pool(heldOut) : null,
    });
  }
  return rows;
}

const HEAD = [
  "hardware",
  "op",
  "dtype",
  "n",
  "roofline_median_%",
  "curve_median_%",
  "curve_p90_%",
  "heldout_n",
  "heldout_median_%",
  "heldout_p90_%",
  "heldout_signed_median_%",
  "heldout_outside_envelope",
  "heldout_no_data",
];

function cells(row: ReportRow): (string | number)[] {
  const h = row.heldOut;
  return [
    row.hardware,
    row.op,
    row.dtype,
    row.curve.n,
    fixed(row.roofline.medianAbsPct, 1),
    fixed(row.curve.medianAbsPct, 2),
    fixed(row.curve.p90AbsPct, 1),
    h ? h.n : "",
    h ? fixed(h.medianAbsPct, 2) : "",
    h ? fixed(h.p90AbsPct, 1) : "",
    h ? fixed(h.medianSignedPct, 2) : "",
    h ? h.outsideEnvelope : "",
    h ? h.noData : "",
  ];
}

export function registerCalibrate(program: Command): void {
  program
    .command("calibrate")
    .description(
      "Fit per-kernel-family efficiency curves (with a correction grid) to measured kernel times; report fit and hold-out error; write predictor.json for --predictor calibrated:<file>",
    )
    .requiredOption(
      "--measurements <files...>",
      `measurement files (.parquet, .csv, .csv.gz), format told by the columns: ${MEASUREMENT_FORMATS.join(", ")}`,
    )
    .option("--out <file>", "write the fitted predictor (JSON) here", outputFile(".json"))
    .option(
      "--hold-out <how>",
      'score on unseen data: "group" (leave one model out) or a fraction of shapes, e.g. 0.2',
    )
    .option("--seed <n>", "seed of the fraction hold-out (default 1)", intAtLeast(0))
    .option(
      "--ops <names>",
      "only these engine op names (comma-separated), e.g. mlp_up,mlp_act,mlp_down",
      nameList,
    )
    .option(
      "--exclude <suites...>",
      "leave out the measurements of these validation suites' op cases (keep them held out)",
    )
    .option("--hardware <name>", "catalog accelerator of every measurement (instead of the file's own)")
    .option("--hardware-file <files...>", "YAML/JSON files with extra accelerators")
    .option("--json", "machine-readable JSON on stdout")
    .option("--csv", "CSV on stdout")
    .action(async (options) => {
      const format = outputFormat(options);
      const holdOut = holdOutOf(options.holdOut, options.seed ?? 1);
      const registry = loadHardwareRegistry(options.hardwareFile ?? []);
      const hardwareOf = hardwareLookup(registry);
      if (options.hardware !== undefined) hardwareOf(options.hardware);
      let measurements = await loadMeasurements(options.measurements, registry, {
        ...(options.hardware !== undefined ? { hardware: options.hardware } : {}),
      });
      if (options.exclude) {
        const held = heldOutShapes(loadSuites(suiteFiles(options.exclude)), registry);
        measurements = measurements.filter(
          (m) => !held.has(opShapeKey(m.hardware, m.op, familyVariant(m.op), collectiveShapeOf(m.op))),
        );
      }
      if (options.ops) {
        const wanted = new Set(options.ops);
        measurements = measurements.filter((m) => wanted.has(m.op.name));
      }
      if (measurements.length === 0)
        throw new InputError([
          {
            code: "empty",
            path: ["--measurements"],
            message: "no measurements to fit (check --ops against the files' op names)",
          },
        ]);
      const families = buildFamilies(measurements, hardwareOf, "calibrated");
      const curves = familyPredictor("curves", "calibrated", withoutCorrection(families));
      const heldOut = holdOut ? holdOutErrors(measurements, hardwareOf, holdOut) : null;
      const rows = reportRows(
        fitErrors(measurements, curves, hardwareOf),
        fitErrors(measurements, rooflinePredictor(), hardwareOf),
        heldOut?.errors ?? null,
      );
      if (options.out) {
        const document = toPredictorDocument(families, options.measurements);
        writeFilesAtomically([[options.out, `${JSON.stringify(document)}\n`]]);
      }
      if (format === "json") {
        process.stdout.write(
          renderJson({
            measurements: measurements.length,
            families: families.map((f) => ({
              hardware: f.hardware,
              key: f.key,
              level: f.level,
              peakClass: f.peakClass,
              points: f.points,
              curve: f.curve,
            })),
            holdOut: holdOut ? { ...holdOut, folds: heldOut?.folds ?? [] } : null,
            rows,
            ...(options.out ? { out: options.out } : {}),
          }),
        );
        return;
      }
      if (format === "csv") {
        process.stdout.write(renderCsv(HEAD, rows.map(cells)));
        return;
      }
      process.stdout.write(
        `${measurements.length} measurements, ${families.length} kernel families` +
          (heldOut
            ? `; hold-out: ${holdOut?.by === "group" ? `leave one group out (${heldOut.folds.length} folds)` : heldOut.folds[0]}`
            : "") +
          "\n\n",
      );
      process.stdout.write(renderTable(HEAD, rows.map(cells)));
      process.stdout.write(
        "\nerrors are |predicted / measured - 1|; roofline = the default analytic predictor, curve = the fitted curves alone\n(in-sample; the correction grid reproduces its own points), heldout = calibrated by a fit that did not see the row;\noutside_envelope = held-out rows beyond the training data, no_data = held-out rows with no family (roofline)\n",
      );
      if (options.out) process.stdout.write(`wrote ${options.out}\n`);
    });
}
