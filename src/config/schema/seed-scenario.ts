import { z } from "zod";
import { DTYPES } from "../../core/dtype.ts";

export const SEED_LAYER_TYPES = ["ffn_layer", "moe_layer", "comm_layer"] as const;
export type SeedLayerType = (typeof SEED_LAYER_TYPES)[number];

/** LLMSimulator's scenario (seed `configs/scenarios/*.yaml`); paths are relative to this file. */
export const seedScenarioSchema = z.strictObject({
  hardware: z.string().min(1).describe("Path to a hardware file (seed format)"),
  layers: z
    .array(
      z.strictObject({
        type: z.enum(SEED_LAYER_TYPES),
        config: z.string().min(1).describe("Path to the layer template"),
        name: z.string().min(1).optional().describe("Layer name in reports (default: <type> <index>)"),
      }),
    )
    .min(1)
    .describe("Ordered layers; the model has one decoder layer per ffn_layer or moe_layer"),
  vocab_size: z
    .int()
    .min(1)
    .optional()
    .describe("Extension: vocabulary for embedding and LM head (default 129280, DeepSeek-V3 config.json)"),
  weight_dtype: z
    .enum(DTYPES)
    .optional()
    .describe("Extension: weight format (default bf16, the format peak_tflops is quoted in)"),
});

export type SeedScenario = z.output<typeof seedScenarioSchema>;
