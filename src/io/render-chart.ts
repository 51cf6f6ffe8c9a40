import { createRequire } from "node:module";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

const require = createRequire(import.meta.url);

/** Renders a Vega-Lite spec to SVG headless (no DOM, no canvas: Vega's text metrics are estimates). */
export async function vegaLiteToSvg(spec: Record<string, unknown>): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec as unknown as TopLevelSpec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Rasterizes an SVG to PNG with the bundled DejaVu Sans font (no system fonts, so output is stable). */
export function svgToPng(svg: string, widthPx = 1400): Buffer {
  const fontFile = require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf");
  const resvg = new Resvg(svg, {
    fitTo: { mode: "width", value: widthPx },
    background: "white",
    font: { fontFiles: [fontFile], loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
  });
  return Buffer.from(resvg.render().asPng());
}
