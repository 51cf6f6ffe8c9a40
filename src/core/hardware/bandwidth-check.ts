import type { Issue } from "../issues.ts";
import type { HardwareSpec } from "./types.ts";

/**
 * Figures a playbook divides by that are given but not positive (a hardware file or scenario with
 * `bandwidth: 0`): the engine would return infinite times. Missing figures are reported by the
 * step's own check (missingHardwareFigures).
 */
export function nonPositiveFigureIssues(
  hardware: HardwareSpec,
  needs: { readonly scaleUp: boolean; readonly scaleOut: boolean },
): Issue[] {
  const issues: Issue[] = [];
  const check = (field: string, value: number | undefined, needed: boolean) => {
    if (needed && value !== undefined && !(value > 0)) {
      issues.push({
        code: "invalid-value",
        path: ["hardware", hardware.name, field],
        message: `must be > 0 (got ${value}); give the accelerator's figure or pick another accelerator`,
      });
    }
  };
  check("hbmBandwidthGBps", hardware.hbmBandwidthBytesPerSec, true);
  check("hbmGB", hardware.hbmBytes, true);
  check("scaleUp.bandwidthGBps", hardware.scaleUp.bandwidthBytesPerSec, needs.scaleUp);
  check("scaleOut.bandwidthGBps", hardware.scaleOut.bandwidthBytesPerSec, needs.scaleOut);
  if (!(hardware.scaleUp.domainGpus >= 1))
    issues.push({
      code: "invalid-value",
      path: ["hardware", hardware.name, "scaleUp.domainGpus"],
      message: `must be an integer >= 1, got ${hardware.scaleUp.domainGpus}`,
    });
  return issues;
}
