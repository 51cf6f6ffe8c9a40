import { EP_DECODE_COLUMNS } from "../../../src/core/analysis/ep-decode.ts";
import { ALL_REDUCE_IMPLEMENTATIONS } from "../../../src/core/collectives/custom-all-reduce.ts";
import { DTYPES } from "../../../src/core/dtype.ts";
import type { AcceleratorRecord } from "../../../src/core/hardware/types.ts";
import { OVERLAP_POLICIES } from "../../../src/core/step/overlap.ts";
import { CheckField, choices, Group, SelectField, TextField, type Update } from "../components/Fields.tsx";
import type { State, View } from "../state.ts";
import { CustomHardware, HardwareInput } from "./HardwareInput.tsx";
import { ModelInput } from "./ModelInput.tsx";
import { type LoadPredictor, PredictorInput } from "./PredictorInput.tsx";

export interface Catalog {
  readonly models: readonly string[];
  readonly accelerators: readonly string[];
  readonly selected: AcceleratorRecord | null;
}

/** The props every view's inputs take. */
interface InputProps {
  readonly state: State;
  readonly update: Update;
  readonly catalog: Catalog;
  readonly loadPredictor: LoadPredictor;
}

function StepInputs({ state, update, catalog, loadPredictor }: InputProps) {
  const f = { state, update };
  return (
    <>
      <Group title="Model and hardware">
        <ModelInput {...f} models={catalog.models} />
        <HardwareInput {...f} accelerators={catalog.accelerators} selected={catalog.selected} withCustom />
      </Group>
      <Group title="Workload">
        <SelectField {...f} field="phase" label="Phase" options={choices(["decode", "prefill", "mixed"])} />
        <TextField {...f} field="batch" label="Batch (sequences per DP group)" type="number" />
        <TextField {...f} field="seq" label="Prompt / context tokens" type="number" />
        <TextField {...f} field="context" label="Decode context (tokens)" type="number" placeholder="= seq" />
        <TextField {...f} field="cached" label="Cached prompt tokens" type="number" placeholder="0" />
        {state.phase === "mixed" ? (
          <TextField {...f} field="prefillBatch" label="Prompts in the step" type="number" placeholder="1" />
        ) : null}
      </Group>
      <Group title="Parallel plan (GPUs per replica = tp × pp × dp)">
        <TextField {...f} field="tp" label="TP" type="number" />
        <TextField {...f} field="pp" label="PP" type="number" />
        <TextField {...f} field="dp" label="DP (attention)" type="number" />
        <TextField {...f} field="ep" label="EP" type="number" />
        <TextField {...f} field="redundantExperts" label="Redundant experts" type="number" placeholder="0" />
        <TextField
          {...f}
          field="expertImbalance"
          label="Expert imbalance (max / mean)"
          type="number"
          placeholder="1"
        />
      </Group>
      <Group title="Formats and kernels">
        <SelectField {...f} field="weightDtype" label="Weights" options={choices(DTYPES, "checkpoint's")} />
        <SelectField
          {...f}
          field="weightBlockSize"
          label="FP8 weight scales"
          options={[
            ["", "checkpoint's"],
            ["none", "per tensor"],
            ["128x128", "128 x 128 blocks"],
          ]}
        />
        <SelectField {...f} field="kvDtype" label="KV cache" options={choices(DTYPES, "bf16 (default)")} />
        <SelectField
          {...f}
          field="activationDtype"
          label="Activations"
          options={choices(DTYPES, "bf16 (default)")}
        />
        <SelectField
          {...f}
          field="overlap"
          label="Overlap"
          options={choices(OVERLAP_POLICIES, "none (CLI default)")}
        />
        <SelectField
          {...f}
          field="mla"
          label="MLA form"
          options={choices(["auto", "absorbed", "naive"], "auto (default)")}
        />
        <SelectField
          {...f}
          field="a2a"
          label="MoE all-to-all"
          options={choices(["auto", "normal", "low-latency"], "auto (default)")}
        />
        <SelectField
          {...f}
          field="allReduce"
          label="TP all-reduce"
          options={choices(ALL_REDUCE_IMPLEMENTATIONS, "nccl (default)")}
        />
        <PredictorInput {...f} load={loadPredictor} />
      </Group>
      <Group title="Memory and links">
        <TextField
          {...f}
          field="memoryUtilization"
          label="Usable HBM fraction"
          type="number"
          placeholder="0.9"
        />
        <CheckField {...f} field="ignoreMemory" label="Simulate even if it does not fit" />
        <TextField
          {...f}
          field="scaleUpGBps"
          label="Scale-up GB/s per GPU"
          type="number"
          placeholder="catalog"
        />
        <TextField
          {...f}
          field="scaleOutGBps"
          label="Scale-out GB/s per GPU"
          type="number"
          placeholder="catalog"
        />
        <TextField {...f} field="hbmGBps" label="HBM GB/s" type="number" placeholder="catalog" />
      </Group>
    </>
  );
}

function EpInputs({
  state,
  update,
  catalog,
  view,
}: {
  state: State;
  update: Update;
  catalog: Catalog;
  view: View;
}) {
  const f = { state, update };
  return (
    <>
      <Group title="Model and GPUs">
        <ModelInput {...f} models={catalog.models} />
        <SelectField
          {...f}
          field="preset"
          label="Physics"
          options={[
            ["llmsim", "llmsim (engine)"],
            ["shallowsim", "shallowsim (preset)"],
          ]}
        />
        <TextField
          {...f}
          field="gpus"
          label="GPUs (comma-separated)"
          placeholder="ShallowSim's 12"
          hint={`catalog: ${catalog.accelerators.join(", ")}`}
        />
        <CustomHardware {...f} selected={catalog.selected} />
      </Group>
      {view === "prefill" ? (
        <Group title="Prefill">
          <TextField {...f} field="seqLen" label="Prompt tokens" type="number" />
          <TextField {...f} field="kvCacheRate" label="Prefix-cache hit rate" type="number" />
          <TextField {...f} field="prefillTp" label="Attention TP" type="number" />
          <TextField {...f} field="prefillDp" label="Attention DP" type="number" />
        </Group>
      ) : (
        <Group title="Decode table">
          <TextField {...f} field="batchSizes" label="Batch sizes" />
          <TextField {...f} field="tps" label="TP degrees" />
          <TextField {...f} field="eps" label="EP sizes" />
          <TextField {...f} field="seqLen" label="KV length (seq_len)" type="number" />
          <TextField {...f} field="decodeLen" label="Tokens still to decode" type="number" />
          <TextField {...f} field="tpsLimit" label="Keep TPS above" type="number" placeholder="0" />
          <CheckField {...f} field="fp8Combine" label="FP8 combine on FP4 GPUs" />
        </Group>
      )}
      {view === "sweep" ? (
        <Group title="Sweep">
          <TextField
            {...f}
            field="sweep"
            label="NAME=START:STOP:STEP"
            hint="seq-len, decode-len, top-k, nvlink-bw, pcie-bw, mem-bw, ..."
          />
          <SelectField
            {...f}
            field="sweepMetric"
            label="Metric"
            options={choices(EP_DECODE_COLUMNS.filter((c) => c !== "GPU"))}
          />
          <SelectField
            {...f}
            field="sweepBy"
            label="Lines"
            options={[
              ["batch", "per batch size"],
              ["ep", "per EP size"],
            ]}
          />
        </Group>
      ) : null}
    </>
  );
}

function CompareInputs({ state, update, catalog }: { state: State; update: Update; catalog: Catalog }) {
  const f = { state, update };
  return (
    <Group title="Scenario B (overrides of A)">
      <HardwareInput {...f} field="bHardware" label="B accelerator" accelerators={catalog.accelerators} />
      <TextField {...f} field="bTp" label="B TP" type="number" placeholder="= A" />
      <TextField {...f} field="bDp" label="B DP" type="number" placeholder="= A" />
      <TextField {...f} field="bEp" label="B EP" type="number" placeholder="= A" />
      <TextField {...f} field="bBatch" label="B batch" type="number" placeholder="= A" />
    </Group>
  );
}

function ServeInputs({ state, update, catalog, loadPredictor }: InputProps) {
  const f = { state, update };
  return (
    <>
      <Group title="Deployment">
        <ModelInput {...f} field="serveModel" models={catalog.models} />
        <HardwareInput
          {...f}
          field="serveHardware"
          accelerators={catalog.accelerators}
          selected={catalog.selected}
          withCustom
        />
        <TextField {...f} field="serveTp" label="TP per replica" type="number" />
        <TextField {...f} field="serveDp" label="DP (attention) per replica" type="number" placeholder="1" />
        <TextField {...f} field="serveEp" label="EP per replica" type="number" placeholder="1" />
        <SelectField
          {...f}
          field="serveWeightDtype"
          label="Weights"
          options={choices(DTYPES, "checkpoint's")}
        />
        <SelectField
          {...f}
          field="serveKvDtype"
          label="KV cache"
          options={choices(DTYPES, "bf16 (default)")}
        />
        <SelectField
          {...f}
          field="serveAllReduce"
          label="TP all-reduce"
          options={choices(ALL_REDUCE_IMPLEMENTATIONS, "nccl (default)")}
        />
        <PredictorInput {...f} load={loadPredictor} />
        <SelectField
          {...f}
          field="serveMode"
          label="Serving"
          options={[
            ["aggregated", "aggregated"],
            ["disaggregated", "prefill / decode pools"],
          ]}
        />
        {state.serveMode === "disaggregated" ? (
          <>
            <TextField {...f} field="prefillReplicas" label="Prefill replicas" type="number" />
            <TextField {...f} field="decodeReplicas" label="Decode replicas" type="number" />
            <SelectField
              {...f}
              field="prefillHardware"
              label="Prefill accelerator"
              options={choices(catalog.accelerators, "= accelerator")}
            />
            <SelectField
              {...f}
              field="decodeHardware"
              label="Decode accelerator"
              options={choices(catalog.accelerators, "= accelerator")}
            />
            <TextField {...f} field="prefillTpServe" label="Prefill TP" type="number" placeholder="= TP" />
            <TextField {...f} field="decodeTpServe" label="Decode TP" type="number" placeholder="= TP" />
          </>
        ) : (
          <TextField {...f} field="replicas" label="Replicas" type="number" />
        )}
        <SelectField
          {...f}
          field="scheduler"
          label="Batching"
          options={choices(["continuous", "chunked", "static"])}
        />
      </Group>
      <Group title="Traffic">
        <TextField {...f} field="rate" label="Arrival rate (req/s)" type="number" />
        <TextField {...f} field="requests" label="Requests" type="number" />
        <SelectField
          {...f}
          field="arrival"
          label="Arrivals"
          options={choices(["poisson", "gamma", "constant", "burst"])}
        />
        <TextField {...f} field="seed" label="Seed" type="number" />
        <TextField
          {...f}
          field="promptTokens"
          label="Prompt lengths"
          hint="N, lmsys or lognormal:MEDIAN:SIGMA[:MIN:MAX]"
        />
        <TextField
          {...f}
          field="outputTokens"
          label="Output lengths"
          hint="N, lmsys or lognormal:MEDIAN:SIGMA[:MIN:MAX]"
        />
        <TextField
          {...f}
          field="hostOverheadMs"
          label="Host overhead (ms per iteration)"
          type="number"
          hint="CPU time each iteration adds: scheduling, input preparation, sampling"
        />
        <TextField {...f} field="sloTtftMs" label="TTFT target (ms)" type="number" />
        <TextField {...f} field="sloTpotMs" label="TPOT target (ms)" type="number" />
      </Group>
    </>
  );
}

function PlanInputs({ state, update, catalog }: { state: State; update: Update; catalog: Catalog }) {
  const f = { state, update };
  return (
    <>
      <Group title="Question">
        <ModelInput {...f} field="planModel" models={catalog.models} />
        <TextField
          {...f}
          field="planHardware"
          label="Hardware (comma-separated; a mixed fleet)"
          hint={`catalog: ${catalog.accelerators.join(", ")}`}
        />
        <CustomHardware {...f} selected={catalog.selected} />
        <TextField
          {...f}
          field="planGpus"
          label="GPU budget"
          hint="a total (64) or per hardware (H800-SXM=32,H20=64)"
        />
        <TextField
          {...f}
          field="planRate"
          label="Rate to sustain (req/s)"
          type="number"
          placeholder="all the budget gives"
        />
      </Group>
      <Group title="Workload and targets">
        <TextField
          {...f}
          field="isl"
          label="Prompt lengths"
          hint="N, lmsys or lognormal:MEDIAN:SIGMA[:MIN:MAX]"
        />
        <TextField
          {...f}
          field="osl"
          label="Output lengths"
          hint="N, lmsys or lognormal:MEDIAN:SIGMA[:MIN:MAX]"
        />
        <TextField {...f} field="ttftMs" label="TTFT target (ms)" type="number" />
        <TextField {...f} field="tpotMs" label="TPOT target (ms)" type="number" />
      </Group>
    </>
  );
}

/** The form for a view: only the inputs that view reads. */
export function Inputs(props: InputProps & { view: View }) {
  switch (props.view) {
    case "step":
      return <StepInputs {...props} />;
    case "compare":
      return (
        <>
          <CompareInputs {...props} />
          <StepInputs {...props} />
        </>
      );
    case "decode":
    case "prefill":
    case "sweep":
      return <EpInputs {...props} />;
    case "serve":
      return <ServeInputs {...props} />;
    case "plan":
      return <PlanInputs {...props} />;
  }
}
