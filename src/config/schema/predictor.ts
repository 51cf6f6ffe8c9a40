import { z } from "zod";
import { PEAK_CLASSES } from "../../core/dtype.ts";
import { FEATURE_AXES, FEATURE_SPACES } from "../../core/predictor/features.ts";

const positive = z.number().positive();

/** A fitted kernel family as `llmsim calibrate` writes it (see src/core/predictor/family.ts). */
const familySchema = z.strictObject({
  hardware: z.string().min(1).describe("catalog accelerator name"),
  key: z.string().min(1).describe("engine op name (level op) or op kind (level kind)"),
  level: z.enum(["op", "kind"]),
  peakClass: z.enum(PEAK_CLASSES),
  variant: z
    .string()
    .describe(
      'splits an op name further: the KV-cache format of attention kernels ("fp8", "bf16"; MLA\'s "mla/bf16"), the weight format of weight-only quantized GEMMs ("weights-int4"), the weight-scale block of block-scaled FP8 GEMMs ("block-128x128"), a collective\'s kind, library and tier ("all-reduce/nccl/scale-up"), else ""',
    ),
  space: z.enum(FEATURE_SPACES).describe("axes of the correction grid (log2)"),
  curve: z.strictObject({
    overheadUs: z.number().nonnegative(),
    computeEfficiency: positive,
    memoryEfficiency: positive,
    sharpness: z.number().min(1),
  }),
  knots: z.array(z.array(z.number()).min(1)).min(1).max(5).describe("sorted knots per axis"),
  values: z.array(z.number()).describe("row-major log(measured / curve) on the knots"),
  points: z.number().int().positive(),
});

export const predictorFileSchema = z
  .strictObject({
    kind: z.literal("llmsim-predictor"),
    schemaVersion: z.literal(1),
    measurements: z.array(z.string()).describe("files the predictor was fitted on"),
    families: z.array(familySchema),
  })
  .superRefine((file, ctx) => {
    file.families.forEach((family, index) => {
      const cells = family.knots.reduce((n, k) => n * k.length, 1);
      if (family.values.length !== cells)
        ctx.addIssue({
          code: "custom",
          path: ["families", index, "values"],
          message: `expected ${cells} values (the product of the knot counts), got ${family.values.length}`,
        });
      const axes = FEATURE_AXES[family.space].length;
      if (family.knots.length !== axes)
        ctx.addIssue({
          code: "custom",
          path: ["families", index, "knots"],
          message: `space ${family.space} has ${axes} axes`,
        });
    });
  });

export type PredictorFile = z.output<typeof predictorFileSchema>;
