import cliProgress from "cli-progress";

/** A progress bar on stderr when it is a terminal; silent otherwise (stdout stays clean). */
export function progressReporter(label: string): {
  update: (done: number, total: number) => void;
  done: () => void;
} {
  if (!process.stderr.isTTY) return { update: () => {}, done: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {eta_formatted}`,
      stream: process.stderr,
      clearOnComplete: true,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (done, total) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    done: () => {
      if (started) bar.stop();
    },
  };
}
