import { describe, expect, it } from "vitest";
import { groupSpan } from "../parallel/placement.ts";
import { collectiveTimeSec, NCCL_PROTOCOLS, type NetworkTiers } from "./alpha-beta.ts";
import { customAllReduceSec } from "./custom-all-reduce.ts";

// H100 NVLink: 450 GB/s per direction x the default scale-up efficiency 0.765 = 344.25 GB/s.
const h100: NetworkTiers = {
  scaleUpBytesPerSec: 450e9 * 0.765,
  scaleOutBytesPerSec: 50e9 * 0.789,
  protocols: NCCL_PROTOCOLS,
};
const latencySec = 3.23e-6;

describe("customAllReduceSec(bytes, span, net, latencySec)", () => {
  it("one shot: latency + (m-1)·n / B_up (8 GPUs, 16,384 bytes: 3.23 µs + 7·16384 B / 344.25 GB/s = 3.563 µs)", () => {
    expect(customAllReduceSec(16_384, groupSpan(8, 1, 8), h100, latencySec)).toBeCloseTo(3.5632e-6, 9);
  });
  it("is below NCCL's ring for a decode-sized message", () => {
    const span = groupSpan(8, 1, 8);
    expect(customAllReduceSec(16_384, span, h100, latencySec)).toBeLessThan(
      collectiveTimeSec("all-reduce", 16_384, span, h100) / 3,
    );
  });
  it("hands large messages to NCCL: 1 GB over 8 GPUs takes the ring's time, not 7 GB / B_up", () => {
    const span = groupSpan(8, 1, 8);
    const ring = collectiveTimeSec("all-reduce", 1e9, span, h100);
    expect(ring).toBeLessThan(7e9 / h100.scaleUpBytesPerSec);
    expect(customAllReduceSec(1e9, span, h100, latencySec)).toBe(ring);
  });
  it("is NCCL's beyond one scale-up domain, and free for one GPU", () => {
    const span = groupSpan(16, 1, 8);
    expect(customAllReduceSec(16_384, span, h100, latencySec)).toBe(
      collectiveTimeSec("all-reduce", 16_384, span, h100),
    );
    expect(customAllReduceSec(16_384, groupSpan(1, 1, 8), h100, latencySec)).toBe(0);
  });
});
