import { useEffect, useRef, useState } from "preact/hooks";
import { download, downloadDataUrl } from "./download.ts";

type VegaView = {
  toSVG(): Promise<string>;
  toImageURL(type: string, scale?: number): Promise<string>;
  finalize(): void;
};

/**
 * A Vega-Lite spec from the library (the same JSON the CLI renders to SVG/PNG), embedded
 * interactively. vega-embed is loaded on first use, so the app shell stays small.
 */
export function Chart({ spec, name, label }: { spec: object; name: string; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<VegaView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current: VegaView | null = null;
    let cancelled = false;
    import("vega-embed")
      .then(async ({ default: embed }) => {
        if (cancelled || !host.current) return;
        const result = await embed(host.current, spec as never, { actions: false, renderer: "svg" });
        current = result.view as unknown as VegaView;
        if (cancelled) current.finalize();
        else setView(current);
      })
      .catch((e: Error) => setError(e.message));
    return () => {
      cancelled = true;
      current?.finalize();
      setView(null);
    };
  }, [spec]);
  return (
    <figure class="chart" data-chart={name} aria-label={label}>
      <div class="chart-tools">
        <span class="chart-title">{label}</span>
        <button
          type="button"
          disabled={!view}
          onClick={async () => view && download(`${name}.svg`, await view.toSVG(), "image/svg+xml")}
        >
          SVG
        </button>
        <button
          type="button"
          disabled={!view}
          onClick={async () => view && downloadDataUrl(`${name}.png`, await view.toImageURL("png", 2))}
        >
          PNG
        </button>
      </div>
      {error ? <p class="error">chart failed: {error}</p> : null}
      <div ref={host} class="chart-host" data-ready={view ? "true" : "false"} />
    </figure>
  );
}
