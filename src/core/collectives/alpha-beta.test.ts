import { describe, expect, it } from "vitest";
import { groupSpan } from "../parallel/placement.ts";
import {
  collectiveTimeSec,
  IDEAL_PROTOCOL,
  idealCollectiveSec,
  NCCL_PROTOCOLS,
  type NetworkTiers,
} from "./alpha-beta.ts";

const bandwidthOnly: NetworkTiers = {
  scaleUpBytesPerSec: 1e9,
  scaleOutBytesPerSec: 1e8,
  protocols: IDEAL_PROTOCOL,
};

describe("collectiveTimeSec(kind, bytes, span, net)", () => {
  it("ring all-reduce inside one domain moves 2(g-1)/g of the buffer", () => {
    expect(collectiveTimeSec("all-reduce", 8e6, groupSpan(8, 1, 8), bandwidthOnly)).toBeCloseTo(
      (2 * 7 * 8e6) / 8 / 1e9,
      12,
    );
  });
  it("all-reduce over two domains adds the inter-domain ring on 1/m of the buffer", () => {
    const expected = (2 * 7 * 8e6) / 8 / 1e9 + (2 * 1 * 8e6) / 2 / 8 / 1e8;
    expect(collectiveTimeSec("all-reduce", 8e6, groupSpan(16, 1, 8), bandwidthOnly)).toBeCloseTo(
      expected,
      12,
    );
  });
  it("all-gather moves (g-1)/g of the output", () => {
    expect(collectiveTimeSec("all-gather", 4e6, groupSpan(4, 1, 8), bandwidthOnly)).toBeCloseTo(
      (3 * 4e6) / 4 / 1e9,
      12,
    );
  });
  it("all-to-all is limited by the slower of its intra- and inter-domain shares", () => {
    const intra = (8e6 * 7) / 16 / 1e9;
    const inter = (8e6 * 8) / 16 / 1e8;
    expect(collectiveTimeSec("all-to-all", 8e6, groupSpan(16, 1, 8), bandwidthOnly)).toBeCloseTo(
      Math.max(intra, inter),
      12,
    );
  });
  it("an all-to-all with an explicit split moves those bytes on each tier", () => {
    const split = { scaleUpBytes: 2e6, scaleOutBytes: 1e6 };
    expect(collectiveTimeSec("all-to-all", 8e6, groupSpan(16, 1, 8), bandwidthOnly, split)).toBeCloseTo(
      Math.max(2e6 / 1e9, 1e6 / 1e8),
      12,
    );
  });
  it("send-recv uses the scale-out tier when the span leaves the domain", () => {
    expect(collectiveTimeSec("send-recv", 1e6, groupSpan(2, 8, 8), bandwidthOnly)).toBeCloseTo(1e6 / 1e8, 12);
    expect(collectiveTimeSec("send-recv", 1e6, groupSpan(2, 1, 8), bandwidthOnly)).toBeCloseTo(1e6 / 1e9, 12);
  });
  it("a group of one costs nothing", () => {
    expect(collectiveTimeSec("all-reduce", 1e6, groupSpan(1, 1, 8), bandwidthOnly)).toBe(0);
  });
  it("takes NCCL's fastest protocol: LL for tiny messages (6.6 + 14 x 0.6 us on 8 GPUs, 1/4 bandwidth)", () => {
    const net: NetworkTiers = {
      scaleUpBytesPerSec: 300e9,
      scaleOutBytesPerSec: 40e9,
      protocols: NCCL_PROTOCOLS,
    };
    const tiny = collectiveTimeSec("all-reduce", 8, groupSpan(8, 1, 8), net);
    expect(tiny).toBeCloseTo(6.6e-6 + 14 * 0.6e-6 + (2 * 7 * 8) / 8 / 300e9 / 0.25, 12);
    // single-domain all-gather: LL delivers 1/3 of the bandwidth
    const gather = collectiveTimeSec("all-gather", 8, groupSpan(8, 1, 8), net);
    expect(gather).toBeCloseTo(6.6e-6 + 7 * 0.6e-6 + (7 * 8) / 8 / 300e9 / (1 / 3), 12);
    const large = collectiveTimeSec("all-reduce", 1e9, groupSpan(8, 1, 8), net);
    expect(large).toBeCloseTo(8.4e-6 + 14 * 3.4e-6 + (2 * 7 * 1e9) / 8 / 300e9, 12);
  });
});

describe("groupSpan(size, stride, domain)", () => {
  it("packs members into domains", () => {
    expect(groupSpan(8, 1, 8)).toEqual({ size: 8, membersPerDomain: 8, domains: 1 });
    expect(groupSpan(32, 1, 8)).toEqual({ size: 32, membersPerDomain: 8, domains: 4 });
    expect(groupSpan(4, 4, 8)).toEqual({ size: 4, membersPerDomain: 2, domains: 2 });
    expect(groupSpan(4, 16, 8)).toEqual({ size: 4, membersPerDomain: 1, domains: 4 });
  });
  it("the ideal time is the pure transfer at datasheet bandwidth: 1 MB all-reduce on 8 GPUs at 450 GB/s = 3.889 us", () => {
    // 2·(8-1)/8 · 1e6 B / 450e9 B/s
    expect(idealCollectiveSec("all-reduce", 1e6, groupSpan(8, 1, 8), 450e9, 50e9)).toBeCloseTo(
      (2 * 7 * 1e6) / 8 / 450e9,
      15,
    );
    // send-recv across two machines: the message over the 50 GB/s NIC
    expect(idealCollectiveSec("send-recv", 1e6, groupSpan(2, 8, 8), 450e9, 50e9)).toBeCloseTo(1e6 / 50e9, 15);
  });
});
