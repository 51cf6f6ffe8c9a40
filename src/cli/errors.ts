import { formatIssue, type Issue } from "../core/issues.ts";

/** Exit codes: 0 ok, 1 runtime result that is not a success (e.g. does not fit), 2 bad input. */
export const EXIT_RESULT = 1;
export const EXIT_USAGE = 2;

/** One line per issue on stderr; unknown ids list the closest names. */
export function reportIssues(
  issues: readonly Issue[],
  write: (text: string) => void = (t) => process.stderr.write(t),
): void {
  for (const issue of issues) {
    if (issue.code === "unknown-id" && issue.allowed && issue.allowed.length > 0) {
      const { allowed: _allowed, ...rest } = issue;
      write(`llmsim: error: ${formatIssue(rest)} (did you mean: ${issue.allowed.join(", ")}?)\n`);
    } else {
      write(`llmsim: error: ${formatIssue(issue)}\n`);
    }
  }
}
