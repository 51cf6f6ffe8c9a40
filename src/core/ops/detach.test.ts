import { describe, expect, it } from "vitest";
import { collectiveOp } from "./collective.ts";
import { detachedCopy } from "./detach.ts";
import { gemm } from "./gemm.ts";

describe("detachedCopy", () => {
  it("copies an op and every nested object, keeping values and key order", () => {
    const op = gemm({
      name: "q_b_proj",
      m: 64,
      n: 3072,
      k: 1536,
      weightDtype: "fp8",
      activationDtype: "bf16",
      computeDtype: "fp8",
      weightBlockSize: [128, 128],
      formula: "2·T·q_lora·h·d_qk",
    });
    const copy = detachedCopy(op);
    expect(copy).toEqual(op);
    expect(Object.keys(copy)).toEqual(Object.keys(op));
    expect(Object.keys(copy.shape ?? {})).toEqual(["m", "n", "k", "batch"]);
    expect(copy).not.toBe(op);
    expect(copy.shape).not.toBe(op.shape);
    expect(copy.weightBlockSize).not.toBe(op.weightBlockSize);
    expect(copy.weightBlockSize).toEqual([128, 128]);
  });

  it("copies a collective's call and its group span", () => {
    const span = { size: 16, membersPerDomain: 8, domains: 2 };
    const op = collectiveOp("tp_all_reduce", "all-reduce", 1_048_576, span, "T·H·a");
    const copy = detachedCopy(op);
    expect(copy).toEqual(op);
    expect(copy.comm).not.toBe(op.comm);
    expect(copy.comm?.span).not.toBe(span);
    expect(copy.comm?.split).toBeNull();
  });

  it("returns numbers, strings and null as they are", () => {
    expect(detachedCopy(3)).toBe(3);
    expect(detachedCopy("x")).toBe("x");
    expect(detachedCopy(null)).toBeNull();
  });
});
