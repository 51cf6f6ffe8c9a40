import type { CollectiveKind } from "../collectives/alpha-beta.ts";

/** A communication layer of a scenario: one collective of `payloadBytes` per GPU over `groupSize` GPUs. */
export interface CommLayerSpec {
  readonly collective: CollectiveKind;
  readonly payloadBytes: number;
  readonly groupSize: number;
}

export type ScenarioLayerType = "ffn_layer" | "moe_layer" | "comm_layer";

/**
 * One entry of a scenario's ordered layers. ffn_layer and moe_layer entries are the model's decoder
 * layers in order; comm_layer entries carry their collective.
 */
export interface ScenarioLayer {
  readonly type: ScenarioLayerType;
  readonly name: string;
  /** Set for comm_layer entries. */
  readonly comm?: CommLayerSpec;
}
