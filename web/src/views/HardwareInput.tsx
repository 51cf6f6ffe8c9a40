import type { AcceleratorRecord } from "../../../src/core/hardware/types.ts";
import { FieldMessage, SelectField, type Update } from "../components/Fields.tsx";
import { useFieldIssues } from "../components/field-issues.ts";
import type { State } from "../state.ts";

/** A catalog record as the start of a custom accelerator: same figures, a new name, no aliases. */
function customFrom(record: AcceleratorRecord): { text: string; name: string } {
  const { aliases: _aliases, sources: _sources, ...rest } = record;
  const name = `${record.name}-custom`;
  return { text: `${JSON.stringify({ ...rest, name }, null, 2)}\n`, name };
}

/** Accelerator from the catalog, or custom ones written as a `--hardware-file` (JSON or YAML). */
export function HardwareInput({
  state,
  update,
  accelerators,
  selected,
  field = "hardware",
  label = "Accelerator",
  withCustom = false,
}: {
  state: State;
  update: Update;
  accelerators: readonly string[];
  selected?: AcceleratorRecord | null;
  field?: "hardware" | "bHardware" | "serveHardware";
  label?: string;
  withCustom?: boolean;
}) {
  return (
    <div>
      <SelectField
        state={state}
        update={update}
        field={field}
        label={label}
        options={accelerators.map((a): [string, string] => [a, a])}
      />
      {withCustom ? (
        <CustomHardware state={state} update={update} selected={selected ?? null} field={field} />
      ) : null}
    </div>
  );
}

/**
 * Custom accelerators and clusters, written as a `--hardware-file` (JSON or YAML); every view's
 * hardware lists include them. "Copy … to edit" starts from the selected catalog record.
 */
export function CustomHardware({
  state,
  update,
  selected,
  field,
}: {
  state: State;
  update: Update;
  selected: AcceleratorRecord | null;
  field?: "hardware" | "bHardware" | "serveHardware";
}) {
  const hardwareIssues = useFieldIssues("hardwareText");
  return (
    <details open={state.hardwareText !== "" || hardwareIssues.messages.length > 0}>
      <summary>Custom accelerators (hardware file)</summary>
      <textarea
        {...hardwareIssues.invalid}
        id="field-hardwareText"
        aria-label="custom accelerator, hardware-file format"
        rows={6}
        spellcheck={false}
        placeholder="accelerators in the --hardware-file format (JSON or YAML)"
        value={state.hardwareText}
        onInput={(e) => update({ hardwareText: (e.target as HTMLTextAreaElement).value })}
      />
      <FieldMessage field="hardwareText" messages={hardwareIssues.messages} />
      {selected ? (
        <button
          type="button"
          onClick={() => {
            const custom = customFrom(selected);
            update({ hardwareText: custom.text, ...(field ? { [field]: custom.name } : {}) });
          }}
        >
          Copy {selected.name} to edit
        </button>
      ) : null}
    </details>
  );
}
