/**
 * Where a communication group sits on the network. Ranks are numbered TP innermost, then DP, then
 * PP; a group of `size` members spaced `stride` ranks apart is packed into scale-up domains of
 * `domainGpus` GPUs.
 */
export interface GroupSpan {
  readonly size: number;
  /** Members that share one scale-up domain. */
  readonly membersPerDomain: number;
  /** Scale-up domains the group touches. */
  readonly domains: number;
}

/** Span of a group of `size` ranks spaced `stride` apart, on domains of `domainGpus` GPUs. */
export function groupSpan(size: number, stride: number, domainGpus: number): GroupSpan {
  const fit = Math.max(1, Math.floor(domainGpus / stride));
  const membersPerDomain = Math.min(size, fit);
  return { size, membersPerDomain, domains: Math.ceil(size / membersPerDomain) };
}

/** Whether pipeline send/recv between consecutive stages of `gpusPerStage` ranks leaves a domain. */
export function stageBoundaryCrossesDomain(
  gpusPerStage: number,
  stages: number,
  domainGpus: number,
): boolean {
  return stages > 1 && gpusPerStage * stages > domainGpus;
}
