import type { ComponentChildren } from "preact";
import type { Field, State } from "../state.ts";
import { useFieldIssues } from "./field-issues.ts";

/** A field's own problem, next to it (the same words as the CLI's error). */
export function FieldMessage({ field, messages }: { field: Field; messages: readonly string[] }) {
  if (messages.length === 0) return null;
  return (
    <span class="field-issue" id={`issue-${field}`}>
      {messages.join("; ")}
    </span>
  );
}

export type Update = (changes: Partial<State>) => void;

interface FieldProps {
  readonly state: State;
  readonly update: Update;
  readonly field: Field;
  readonly label: string;
  readonly hint?: string;
}

/** A labelled text/number input bound to one state field (empty = the CLI's default). */
export function TextField(
  props: FieldProps & { readonly type?: "text" | "number"; readonly placeholder?: string },
) {
  const id = `field-${props.field}`;
  const { messages, invalid } = useFieldIssues(props.field);
  const common = {
    ...invalid,
    id,
    name: props.field,
    value: props.state[props.field],
    ...(props.placeholder !== undefined ? { placeholder: props.placeholder } : {}),
    ...(props.hint !== undefined ? { title: props.hint } : {}),
    onInput: (e: Event) => props.update({ [props.field]: (e.target as HTMLInputElement).value }),
  };
  return (
    <label class="field" for={id}>
      <span>{props.label}</span>
      {/* Numbers are text inputs: a half-typed "1e" stays visible and gets the CLI's error. */}
      <input type="text" inputMode={props.type === "number" ? "decimal" : "text"} {...common} />
      <FieldMessage field={props.field} messages={messages} />
    </label>
  );
}

/** A labelled select bound to one state field; `options` are [value, label] pairs. */
export function SelectField(
  props: FieldProps & { readonly options: readonly (readonly [string, string])[] },
) {
  const id = `field-${props.field}`;
  const value = props.state[props.field];
  const known = props.options.some(([v]) => v === value);
  const { messages, invalid } = useFieldIssues(props.field);
  return (
    <label class="field" for={id}>
      <span>{props.label}</span>
      <select
        {...invalid}
        id={id}
        name={props.field}
        value={value}
        title={props.hint}
        onChange={(e) => props.update({ [props.field]: (e.target as HTMLSelectElement).value })}
      >
        {known ? null : <option value={value}>{value}</option>}
        {props.options.map(([v, label]) => (
          <option key={v} value={v}>
            {label}
          </option>
        ))}
      </select>
      <FieldMessage field={props.field} messages={messages} />
    </label>
  );
}

export function CheckField(props: FieldProps) {
  const id = `field-${props.field}`;
  return (
    <label class="field check" for={id}>
      <input
        id={id}
        name={props.field}
        type="checkbox"
        checked={props.state[props.field] === "true"}
        onChange={(e) =>
          props.update({ [props.field]: (e.target as HTMLInputElement).checked ? "true" : "" })
        }
      />
      <span>{props.label}</span>
    </label>
  );
}

export function Group({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <fieldset class="group">
      <legend>{title}</legend>
      {children}
    </fieldset>
  );
}

export const choices = (values: readonly string[], defaultLabel?: string): [string, string][] => [
  ...(defaultLabel !== undefined ? ([["", defaultLabel]] as [string, string][]) : []),
  ...values.map((v): [string, string] => [v, v]),
];
