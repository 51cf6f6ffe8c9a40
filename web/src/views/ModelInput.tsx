import { useState } from "preact/hooks";
import { FieldMessage, SelectField, type Update } from "../components/Fields.tsx";
import { useFieldIssues } from "../components/field-issues.ts";
import { CUSTOM_MODEL, type State } from "../state.ts";

/**
 * Model from the catalog, or a Hugging Face config.json pasted, dropped or fetched (the one network
 * call the app makes, and only when asked).
 */
export function ModelInput({
  state,
  update,
  models,
  field = "model",
}: {
  state: State;
  update: Update;
  models: readonly string[];
  /** The view's model field; the pasted text is shared by every view. */
  field?: "model" | "serveModel" | "planModel";
}) {
  const [repo, setRepo] = useState("");
  const [fetchStatus, setFetchStatus] = useState("");
  const modelIssues = useFieldIssues("modelText");
  const useText = (text: string) => update({ modelText: text, [field]: CUSTOM_MODEL });
  const fetchConfig = async () => {
    const id = repo.trim();
    if (!/^[\w.-]+\/[\w.-]+$/.test(id)) {
      setFetchStatus("give a Hugging Face id like Qwen/Qwen3-8B");
      return;
    }
    setFetchStatus(`fetching ${id}…`);
    try {
      const response = await fetch(`https://huggingface.co/${id}/resolve/main/config.json`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      useText(await response.text());
      setFetchStatus(`loaded ${id}/config.json`);
    } catch (error) {
      setFetchStatus(
        `could not fetch ${id}: ${(error as Error).message} (gated models need a download and a paste)`,
      );
    }
  };
  return (
    <div class="model-input">
      <SelectField
        state={state}
        update={update}
        field={field}
        label="Model"
        options={[
          ...models.map((m): [string, string] => [m, m]),
          [CUSTOM_MODEL, "config.json (pasted below)"],
        ]}
      />
      <details open={state[field] === CUSTOM_MODEL || modelIssues.messages.length > 0}>
        <summary>Paste, drop or fetch a config.json</summary>
        <textarea
          {...modelIssues.invalid}
          id="field-modelText"
          aria-label="Hugging Face config.json"
          rows={6}
          spellcheck={false}
          placeholder='{"architectures": ["LlamaForCausalLM"], "hidden_size": 4096, ...}'
          value={state.modelText}
          onInput={(e) => useText((e.target as HTMLTextAreaElement).value)}
          onDragOver={(e) => e.preventDefault()}
          onDrop={async (e) => {
            e.preventDefault();
            const file = e.dataTransfer?.files[0];
            if (file) useText(await file.text());
          }}
        />
        <FieldMessage field="modelText" messages={modelIssues.messages} />
        <div class="row">
          <input
            aria-label="Hugging Face model id to fetch"
            placeholder="org/model"
            value={repo}
            onInput={(e) => setRepo((e.target as HTMLInputElement).value)}
          />
          <button type="button" onClick={fetchConfig}>
            Fetch from Hugging Face
          </button>
        </div>
        {fetchStatus ? <p class="hint">{fetchStatus}</p> : null}
      </details>
    </div>
  );
}
