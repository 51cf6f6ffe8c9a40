import { gemm } from "../ops/gemm.ts";
import type { Op } from "../ops/types.ts";
import type { BuildContext } from "./context.ts";

/**
 * A GEMM on the model's dense (non-expert) weights, in the step's formats: m tokens x k inputs x n
 * outputs.
 */
export function denseGemm(
  ctx: BuildContext,
  name: string,
  m: number,
  k: number,
  n: number,
  formula: string,
): Op {
  // Built as one literal: spreading a shared object and adding keys is ~100x slower in V8 here.
  return gemm({
    name,
    m,
    n,
    k,
    weightDtype: ctx.dtypes.weight,
    activationDtype: ctx.dtypes.activation,
    computeDtype: ctx.dtypes.gemmCompute,
    weightBlockSize: ctx.dtypes.weightBlockSize,
    formula,
  });
}
