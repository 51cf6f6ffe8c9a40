import cliProgress from "cli-progress";

const compact = (perSec: number) =>
  perSec >= 1e6
    ? `${(perSec / 1e6).toFixed(1)} M`
    : perSec >= 1e3
      ? `${(perSec / 1e3).toFixed(1)} k`
      : perSec.toFixed(0);

/** A progress bar with rate and ETA on stderr when it is a terminal; silent otherwise (stdout stays clean). */
export function progressReporter(label: string): {
  update: (done: number, total: number) => void;
  done: () => void;
} {
  if (!process.stderr.isTTY) return { update: () => {}, done: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% {value}/{total} {rate}/s ETA {eta_formatted}`,
      stream: process.stderr,
      clearOnComplete: true,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let start = 0;
  return {
    update: (done, total) => {
      if (start === 0) {
        start = performance.now();
        bar.start(total, 0, { rate: "-" });
      }
      const seconds = (performance.now() - start) / 1000;
      bar.update(done, { rate: seconds > 0 ? compact(done / seconds) : "-" });
    },
    done: () => {
      if (start !== 0) bar.stop();
    },
  };
}
