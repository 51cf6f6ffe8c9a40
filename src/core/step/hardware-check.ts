import type { HardwareSpec } from "../hardware/types.ts";
import type { Issue } from "../issues.ts";
import type { GroupSpan } from "../parallel/placement.ts";

/** Figures a step needs from the hardware that the catalog may have left empty. */
export function missingHardwareFigures(
  hardware: HardwareSpec,
  spans: readonly GroupSpan[],
  crossesDomainForPipeline: boolean,
  pipelineStages: number,
): Issue[] {
  const issues: Issue[] = [];
  const missing = (field: string, why: string) =>
    issues.push({
      code: "missing-figure",
      path: ["hardware", field],
      message: `${hardware.name} has no ${field} in the catalog (${why}); give it in a hardware file (--hardware-file) or pick another accelerator`,
    });
  if (hardware.peakFlopsPerSec.bf16 === undefined)
    missing("denseTflops.bf16", "needed for every GEMM and attention");
  if (hardware.hbmBandwidthBytesPerSec === undefined)
    missing("hbmBandwidthGBps", "needed for every memory-bound op");
  if (hardware.hbmBytes === undefined) missing("hbmGB", "needed to check the memory fit");
  const needsScaleUp =
    spans.some((span) => span.size > 1 && span.membersPerDomain > 1) ||
    (pipelineStages > 1 && !crossesDomainForPipeline);
  const needsScaleOut = spans.some((span) => span.domains > 1) || crossesDomainForPipeline;
  if (needsScaleUp && hardware.scaleUp.bandwidthBytesPerSec === undefined)
    missing("scaleUp.bandwidthGBps", "needed by collectives inside a scale-up domain");
  if (needsScaleOut && hardware.scaleOut.bandwidthBytesPerSec === undefined) {
    missing(
      "scaleOut.bandwidthGBps",
      `needed by collectives that span scale-up domains of ${hardware.scaleUp.domainGpus} GPUs`,
    );
  }
  return issues;
}
