import type { LayerKind, ModelSpec } from "./types.ts";

/** The distinct layer kinds of a model and, per decoder layer, the index of its kind. */
export interface LayerKindTable {
  readonly kinds: readonly LayerKind[];
  readonly kindOfLayer: Uint16Array;
}

const tables = new WeakMap<ModelSpec, LayerKindTable>();

/**
 * Groups identical layers (same FFN kind and attention window) so a step costs each kind once.
 * Cached per model object (models are immutable).
 */
export function layerKindTable(model: ModelSpec): LayerKindTable {
  const cached = tables.get(model);
  if (cached) return cached;
  const kinds: LayerKind[] = [];
  const kindOfLayer = new Uint16Array(model.layers.length);
  model.layers.forEach((layer, index) => {
    let kind = kinds.findIndex((k) => k.ffn === layer.ffn && k.slidingWindow === layer.slidingWindow);
    if (kind < 0) kind = kinds.push(layer) - 1;
    kindOfLayer[index] = kind;
  });
  const table = { kinds, kindOfLayer };
  tables.set(model, table);
  return table;
}
