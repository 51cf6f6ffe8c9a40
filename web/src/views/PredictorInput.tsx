import { useState } from "preact/hooks";
import { FieldMessage, type Update } from "../components/Fields.tsx";
import { useFieldIssues } from "../components/field-issues.ts";
import { predictorFileName, type State } from "../state.ts";

/**
 * Loads a predictor file into the engine worker: its state value and what it holds, or the file's
 * problems in the CLI's words (null: a newer choice replaced it).
 */
export type LoadPredictor = (
  file: File,
) => Promise<{ value: string; summary: string } | { error: string } | null>;

/**
 * Kernel times from measured kernels: a predictor.json written by `llmsim calibrate`, read in the
 * page (never uploaded) and kept in the engine worker; the URL names it (a link restores the view
 * once the same file is chosen again). Empty: the roofline.
 */
export function PredictorInput({
  state,
  update,
  load,
}: {
  state: State;
  update: Update;
  load: LoadPredictor;
}) {
  const { messages, invalid } = useFieldIssues("predictor");
  const [status, setStatus] = useState("");
  const name = predictorFileName(state.predictor);
  return (
    <div class="field">
      <span>Kernel times</span>
      <p class="hint" id="predictor-status">
        {name === "" ? "roofline (default)" : `calibrated:${name}`}
        {status === "" ? "" : ` — ${status}`}
      </p>
      <input
        {...invalid}
        id="field-predictor"
        type="file"
        accept=".json,application/json"
        aria-label="predictor.json from llmsim calibrate"
        onChange={async (e) => {
          const input = e.target as HTMLInputElement;
          const file = input.files?.[0];
          if (!file) return;
          setStatus(`reading ${file.name}…`);
          const loaded = await load(file);
          input.value = "";
          if (loaded === null) return;
          if ("error" in loaded) {
            setStatus(loaded.error);
            return;
          }
          setStatus(loaded.summary);
          update({ predictor: loaded.value });
        }}
      />
      {name !== "" ? (
        <button
          type="button"
          id="clear-predictor"
          onClick={() => {
            setStatus("");
            update({ predictor: "" });
          }}
        >
          Use the roofline
        </button>
      ) : null}
      <FieldMessage field="predictor" messages={messages} />
    </div>
  );
}
