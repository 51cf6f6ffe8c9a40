import type { StepResult } from "../../core/step/result.ts";
import { renderCsv } from "./table.ts";

const HEAD = [
  "hardware",
  "layer",
  "layer_name",
  "op",
  "kind",
  "compute_dtype",
  "m",
  "n",
  "k",
  "gemm_batch",
  "flops",
  "bytes_read",
  "bytes_written",
  "weight_bytes",
  "kv_cache_bytes",
  "arithmetic_intensity",
  "comm_bytes",
  "collective",
  "group_size",
  "comm_domains",
  "family_variant",
  "sequences",
  "query_tokens",
  "context_tokens",
  "heads",
  "kv_heads",
  "head_dim",
  "kv_dtype",
  "compute_ms",
  "memory_ms",
  "comm_ms",
  "predicted_ms",
  "bound",
  "source",
  "in_envelope",
];

/**
 * Per-op features of a step (LLMSimulator's LayerExecution.features), one row per op of every
 * emitted layer, for training one's own latency models against measured times: the GEMM shape,
 * the attention shape, the collective's group and domains, and the family variant the built-in
 * predictors split measured kernels by.
 */
export function featuresCsv(result: StepResult): string {
  const rows = result.layers.flatMap((layer) =>
    layer.ops.map((op) => [
      result.hardware.name,
      layer.layer,
      layer.name,
      op.name,
      op.kind,
      op.kind === "collective" ? "" : op.computeDtype,
      op.shape?.m ?? "",
      op.shape?.n ?? "",
      op.shape?.k ?? "",
      op.shape?.batch ?? "", // empty for a plain GEMM, as in the llmsim measurement CSV
      op.flops,
      op.bytesRead,
      op.bytesWritten,
      op.weightBytes,
      op.kvCacheBytes,
      op.arithmeticIntensity,
      op.commBytes,
      op.collective ?? "",
      op.groupSize,
      op.commDomains,
      op.familyVariant,
      op.attention?.sequences ?? "",
      op.attention?.queryTokens ?? "",
      op.attention?.contextTokens ?? "",
      op.attention?.heads ?? "",
      op.attention?.kvHeads ?? "",
      op.attention?.headDim ?? "",
      op.attention?.kvDtype ?? "",
      op.computeMs,
      op.memoryMs,
      op.commMs,
      op.ms,
      op.bound,
      op.source,
      op.inEnvelope === null ? "" : String(op.inEnvelope),
    ]),
  );
  return renderCsv(HEAD, rows);
}
