import { formatIssue, type Issue } from "../../../src/core/issues.ts";

/** Input problems, worded as the CLI words them (file:line:col, field path, allowed values). */
export function Issues({ issues }: { issues: readonly Issue[] }) {
  return (
    <div class="issues" role="alert">
      <strong>Invalid input</strong>
      <ul>
        {issues.map((issue, i) => (
          <li key={i} data-field={issue.path.join(".")}>
            <code>{formatIssue(issue)}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}
