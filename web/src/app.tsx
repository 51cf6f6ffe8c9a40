import { useEffect, useMemo, useState } from "preact/hooks";
import { formatIssue, type Issue } from "../../src/core/issues.ts";
import { cliCommand } from "./cli-command.ts";
import { download } from "./components/download.ts";
import type { Update } from "./components/Fields.tsx";
import { FieldIssues, issuesByField } from "./components/field-issues.ts";
import { Issues } from "./components/Issues.tsx";
import type { EngineClient } from "./engine/client.ts";
import { decodeState, encodeState, type State, VIEW_TITLES, VIEWS, type View } from "./state.ts";
import { type CompareData, CompareView } from "./views/CompareView.tsx";
import { type DecodeData, DecodeView } from "./views/DecodeView.tsx";
import { type Catalog, Inputs } from "./views/Inputs.tsx";
import { type PlanData, PlanView } from "./views/PlanView.tsx";
import type { LoadPredictor } from "./views/PredictorInput.tsx";
import { type PrefillData, PrefillView } from "./views/PrefillView.tsx";
import { type ServeData, ServeView } from "./views/ServeView.tsx";
import { type StepData, StepView } from "./views/StepView.tsx";
import { SweepView } from "./views/SweepView.tsx";

/** FNV-1a of a text, hex: tells two loaded files apart (an identity, not a security check). */
function contentHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, "0");
}

interface Shown {
  readonly key: string;
  readonly view: View;
  readonly computeMs: number;
  readonly data?: unknown;
  readonly issues?: readonly Issue[];
}

function ViewBody({ shown, state, update }: { shown: Shown; state: State; update: Update }) {
  const data = shown.data as never;
  switch (shown.view) {
    case "step":
      return <StepView data={data as StepData} />;
    case "decode":
      return <DecodeView data={data as DecodeData} state={state} update={update} />;
    case "prefill":
      return <PrefillView data={data as PrefillData} />;
    case "sweep":
      return <SweepView data={data} />;
    case "compare":
      return <CompareView data={data as CompareData} />;
    case "serve":
      return <ServeView data={data as ServeData} />;
    case "plan":
      return <PlanView data={data as PlanData} />;
  }
}

/** Settings that only change how a result is shown, not what the engine computes. */
const DISPLAY_ONLY: readonly (keyof State)[] = ["decodeView", "decodeFilter", "decodeSort"];
const computeKey = (state: State) =>
  encodeState({ ...state, ...Object.fromEntries(DISPLAY_ONLY.map((k) => [k, ""])) });

export function App({ client }: { client: EngineClient }) {
  const [state, setState] = useState<State>(() => decodeState(location.hash));
  const [catalog, setCatalog] = useState<Catalog>({ models: [], accelerators: [], selected: null });
  const [hardwareIssues, setHardwareIssues] = useState<readonly Issue[]>([]);
  const [shown, setShown] = useState<Shown | null>(null);
  const [copied, setCopied] = useState("");
  const [predictorLoads, setPredictorLoads] = useState(0);
  const view = state.view as View;
  const update: Update = (changes) => setState((s) => ({ ...s, ...changes }));
  const key = `${view}|${computeKey(state)}`;

  // The URL always holds the whole scenario (replaced, not pushed: no history entry per keystroke);
  // opening a shared link, or editing the fragment, restores it.
  useEffect(() => {
    const hash = encodeState(state);
    if (location.hash.replace(/^#/, "") !== hash)
      history.replaceState(null, "", hash ? `#${hash}` : location.pathname);
  }, [state]);
  useEffect(() => {
    const restore = () => setState(decodeState(location.hash));
    addEventListener("hashchange", restore);
    return () => removeEventListener("hashchange", restore);
  }, []);

  useEffect(() => {
    client.compute("catalog", state).then((response) => {
      if (!response?.ok) return;
      const data = response.data as Catalog & { hardwareIssues: readonly Issue[] };
      setCatalog({ models: data.models, accelerators: data.accelerators, selected: data.selected });
      setHardwareIssues(data.hardwareIssues);
    });
  }, [state.hardwareText, state.hardware]);

  useEffect(() => {
    const timer = setTimeout(async () => {
      const response = await client.compute(view, state);
      if (!response) return;
      setShown(
        response.ok
          ? { key, view, computeMs: response.computeMs, data: response.data }
          : { key, view, computeMs: response.computeMs, issues: response.issues },
      );
    }, 80);
    return () => clearTimeout(timer);
  }, [key, predictorLoads]);

  // A predictor file stays in the page: the worker keeps it under its name and content hash.
  const loadPredictor: LoadPredictor = async (file) => {
    const text = await file.text();
    const value = `${file.name}#${contentHash(text)}`;
    const response = await client.compute("predictor", { ...state, predictor: value }, text);
    if (!response) return null;
    if (!response.ok) return { error: response.issues.map(formatIssue).join("; ") };
    // The same file chosen again (a shared link's) leaves the state as it was: recompute anyway.
    setPredictorLoads((n) => n + 1);
    const data = response.data as { families: number; hardware: string[] };
    return { value, summary: `${data.families} kernel families (${data.hardware.join(", ")})` };
  };

  const command = useMemo(() => cliCommand(view, state), [view, state]);
  const fieldIssues = useMemo(
    () => issuesByField([...(shown?.view === view ? (shown.issues ?? []) : []), ...hardwareIssues], view),
    [shown, view, hardwareIssues],
  );
  const ready = shown?.key === key;
  const copy = async (text: string, what: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(`${what} copied`);
    } catch {
      setCopied(`select the ${what} below to copy it`);
    }
  };

  return (
    <div class="app">
      <header>
        <h1>
          llmsim <span>explorer</span>
        </h1>
        <div class="tabs" aria-label="views" role="tablist">
          {VIEWS.map((v, i) => (
            <button
              key={v}
              type="button"
              role="tab"
              id={`tab-${v}`}
              aria-selected={v === view}
              aria-controls="view-panel"
              tabIndex={v === view ? 0 : -1}
              data-view={v}
              onClick={() => update({ view: v })}
              onKeyDown={(e) => {
                // Arrow keys, Home and End move between tabs (the WAI-ARIA tabs pattern).
                const next =
                  e.key === "ArrowRight"
                    ? (i + 1) % VIEWS.length
                    : e.key === "ArrowLeft"
                      ? (i - 1 + VIEWS.length) % VIEWS.length
                      : e.key === "Home"
                        ? 0
                        : e.key === "End"
                          ? VIEWS.length - 1
                          : -1;
                if (next < 0) return;
                e.preventDefault();
                const target = VIEWS[next] as View;
                update({ view: target });
                document.getElementById(`tab-${target}`)?.focus();
              }}
            >
              {VIEW_TITLES[v]}
            </button>
          ))}
        </div>
      </header>
      <div class="layout">
        <aside aria-label="inputs">
          <form onSubmit={(e) => e.preventDefault()}>
            <FieldIssues.Provider value={fieldIssues}>
              <Inputs
                state={state}
                update={update}
                catalog={catalog}
                view={view}
                loadPredictor={loadPredictor}
              />
            </FieldIssues.Provider>
          </form>
          {hardwareIssues.length > 0 ? <Issues issues={hardwareIssues} /> : null}
        </aside>
        <main>
          <div class="toolbar">
            <p
              id="status"
              role="status"
              data-state={ready ? "ready" : "computing"}
              data-compute-ms={shown ? shown.computeMs.toFixed(2) : ""}
            >
              {ready && shown ? `computed in ${shown.computeMs.toFixed(1)} ms in the worker` : "computing…"}
            </p>
            <button type="button" id="copy-cli" onClick={() => copy(command.command, "command")}>
              Copy as CLI command
            </button>
            <button type="button" id="copy-link" onClick={() => copy(location.href, "link")}>
              Copy link
            </button>
            {command.files.map((file) => (
              <button
                type="button"
                key={file.name}
                onClick={() => download(file.name, file.text, "application/json")}
              >
                Save {file.name}
              </button>
            ))}
            <span class="hint" aria-live="polite">
              {copied}
            </span>
          </div>
          <pre id="cli-command" class="cli">
            {command.command}
          </pre>
          {shown && shown.view === view ? (
            <div class={ready ? "" : "stale"} id="view-panel" role="tabpanel" aria-labelledby={`tab-${view}`}>
              {shown.issues ? (
                <Issues issues={shown.issues} />
              ) : (
                <ViewBody shown={shown} state={state} update={update} />
              )}
            </div>
          ) : null}
        </main>
      </div>
    </div>
  );
}
