import { z } from "zod";
import { COLLECTIVES } from "../../core/collectives/alpha-beta.ts";

const size = z.int().min(1);

/**
 * Attention of a layer template. MLA reads the DeepSeek fields; a field the template omits takes
 * DeepSeek-V3's config.json value (see docs/scenarios.md) with a warning.
 */
const attnConfigSchema = z.strictObject({
  type: z.enum(["MLA", "GQA", "MHA", "MQA"]).describe("MLA (DeepSeek latent attention) or GQA/MHA/MQA"),
  d_model: size.describe("Hidden size"),
  num_attention_heads: size,
  head_dim: size
    .optional()
    .describe("GQA/MHA/MQA head size (default d_model / num_attention_heads); not used by MLA"),
  num_key_value_heads: size
    .optional()
    .describe("GQA: KV heads (required); MHA: = heads; MQA: 1; not used by MLA"),
  v_head_dim: size
    .optional()
    .describe("MLA value head size (default 128, DeepSeek-V3); GQA: must equal head_dim"),
  q_lora_rank: size
    .nullable()
    .optional()
    .describe("MLA query down-projection rank (default 1536, DeepSeek-V3); null: none"),
  kv_lora_rank: size.optional().describe("MLA latent KV rank (default 512, DeepSeek-V3)"),
  qk_nope_head_dim: size.optional().describe("MLA non-rotary query/key head size (default 128, DeepSeek-V3)"),
  qk_rope_head_dim: size.optional().describe("MLA rotary query/key head size (default 64, DeepSeek-V3)"),
});

const activation = z.string().min(1).describe("Activation name (silu, gelu, ...); FLOPs do not depend on it");
const gated = z
  .boolean()
  .optional()
  .describe("Gated MLP (gate, up and down projections, as DeepSeek-V3's DeepseekV3MLP); default true");

const ffnConfigSchema = z.strictObject({
  d_model: size.describe("Hidden size; must equal attn_config.d_model"),
  d_ff: size.describe("Dense MLP intermediate size (DeepSeek-V3 intermediate_size 18432)"),
  hidden_act: activation,
  gated,
});

/** Routed experts; routing-only fields (topk_group, n_group, ...) are accepted and do not change FLOPs. */
const moeConfigSchema = z.strictObject({
  d_model: size.optional().describe("Hidden size; must equal attn_config.d_model when given"),
  moe_intermediate_size: size.describe("Intermediate size of one expert"),
  num_experts_per_tok: size.describe("Routed experts per token (top-k)"),
  n_routed_experts: size.optional().describe("Routed experts (default 256, DeepSeek-V3)"),
  n_shared_experts: z.int().min(0).optional().describe("Shared experts (default 1, DeepSeek-V3)"),
  topk_group: size.optional().describe("Groups a token may route to (routing only)"),
  n_group: size.optional().describe("Expert groups (routing only)"),
  topk_method: z.string().optional().describe("noaux_tc adds the router's score-correction bias"),
  scoring_func: z.string().optional(),
  norm_topk_prob: z.boolean().optional(),
  routed_scaling_factor: z.number().positive().optional(),
  hidden_act: activation.optional(),
  gated,
});

const commConfigSchema = z.strictObject({
  payload_mb: z.number().positive().describe("Bytes each GPU contributes, MB (10^6 bytes)"),
  pattern: z
    .enum([...COLLECTIVES, "all_reduce", "all_gather", "reduce_scatter", "all_to_all", "send_recv"])
    .describe("Collective kind"),
  group_size: size
    .optional()
    .describe("Extension: GPUs in the collective (default: the hardware's scale-up domain)"),
});

/** A layer template file (seed `configs/models/<model>/*.yaml`): the blocks its layer type needs. */
export const seedLayerSchema = z.strictObject({
  name: z.string().min(1).optional().describe("Layer name in reports (default: the scenario's layer type)"),
  attn_config: attnConfigSchema.optional().describe("Required by ffn_layer and moe_layer"),
  ffn_config: ffnConfigSchema.optional().describe("Required by ffn_layer"),
  moe_config: moeConfigSchema.optional().describe("Required by moe_layer"),
  comm_config: commConfigSchema.optional().describe("Required by comm_layer"),
});

export type SeedLayer = z.output<typeof seedLayerSchema>;
export type SeedAttnConfig = z.output<typeof attnConfigSchema>;
export type SeedFfnConfig = z.output<typeof ffnConfigSchema>;
export type SeedMoeConfig = z.output<typeof moeConfigSchema>;
export type SeedCommConfig = z.output<typeof commConfigSchema>;
