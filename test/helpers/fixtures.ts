import { HardwareRegistry } from "../../src/core/hardware/catalog.ts";
import { hardwareSpecOf } from "../../src/core/hardware/resolve.ts";
import type { AcceleratorRecord, HardwareSpec } from "../../src/core/hardware/types.ts";
import { builtinModel } from "../../src/core/model/catalog.ts";
import type { ModelSpec } from "../../src/core/model/types.ts";

const registry = new HardwareRegistry();

/** A built-in model; fails the test if it does not import. */
export function model(id: string): ModelSpec {
  const result = builtinModel(id);
  if (!result.ok) throw new Error(`${id}: ${JSON.stringify(result.issues)}`);
  return result.model;
}

export function acceleratorRecord(name: string): AcceleratorRecord {
  const record = registry.get(name);
  if (!record) throw new Error(`no accelerator ${name}`);
  return record;
}

export function hardware(name: string): HardwareSpec {
  return hardwareSpecOf(acceleratorRecord(name));
}

/** A synthetic accelerator with round numbers, for hand-derived times. */
export const ROUND_GPU: HardwareSpec = {
  name: "round",
  peakFlopsPerSec: { bf16: 1e15, fp8: 2e15 },
  hbmBytes: 100e9,
  hbmBandwidthBytesPerSec: 2e12,
  scaleUp: { bandwidthBytesPerSec: 400e9, domainGpus: 8 },
  scaleOut: { bandwidthBytesPerSec: 50e9 },
  priceUsdPerGpuHour: undefined,
};
