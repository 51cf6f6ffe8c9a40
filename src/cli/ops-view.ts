import type { OpRecord } from "../core/step/result.ts";
import { OP_CSV_HEAD, opCsvCells, renderOpTable } from "./format/op-table.ts";
import type { Cell } from "./format/table.ts";

/** A distinct set of fused kernels and the layers that run it. */
export interface OpBlock {
  readonly name: string;
  /** Names of every layer running exactly these ops (the first is `name`). */
  readonly layers: readonly string[];
  readonly ops: readonly OpRecord[];
}

/** Groups layers whose op records are the same (the engine costs each layer kind once). */
export function distinctOpBlocks(
  layers: readonly { readonly name: string; readonly ops: readonly OpRecord[] }[],
): OpBlock[] {
  const blocks = new Map<readonly OpRecord[], { name: string; layers: string[]; ops: readonly OpRecord[] }>();
  for (const layer of layers) {
    const block = blocks.get(layer.ops);
    if (block) block.layers.push(layer.name);
    else blocks.set(layer.ops, { name: layer.name, layers: [layer.name], ops: layer.ops });
  }
  return [...blocks.values()];
}

/** Per block: a heading, the op table (FLOPs, bytes, intensity, times, binding roof) and the formulas. */
export function renderOpBlocks(title: string, blocks: readonly OpBlock[]): string {
  const parts = [title];
  for (const block of blocks) {
    const more =
      block.layers.length > 1 ? ` (and ${block.layers.length - 1} more layers with the same ops)` : "";
    parts.push("", `${block.name}${more}`, renderOpTable(block.ops));
    for (const op of block.ops) parts.push(`  ${op.name}: ${op.formula}`);
  }
  return `${parts.join("\n")}\n`;
}

export const OP_BLOCK_CSV_HEAD = ["block", "layers", ...OP_CSV_HEAD, "arithmeticIntensity", "formula"];

export function opBlockCsvRows(blocks: readonly OpBlock[]): Cell[][] {
  return blocks.flatMap((block) =>
    block.ops.map((op) => [
      block.name,
      block.layers.length,
      ...opCsvCells(op),
      op.arithmeticIntensity,
      op.formula,
    ]),
  );
}
