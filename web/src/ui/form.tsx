import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

/** Form controls that always carry a label (and a hint tied to them with aria-describedby). */

interface Labelled {
  readonly label: ReactNode;
  readonly hint?: ReactNode;
}

export function TextField({ label, hint, ...input }: Labelled & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

export function TextArea({ label, hint, ...input }: Labelled & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

export function SelectField({
  label,
  hint,
  options,
  ...select
}: Labelled & SelectHTMLAttributes<HTMLSelectElement> & { options: readonly { value: string; label: string }[] }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...select}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

/** A group of checkboxes with a legend: the facet lists of Explore. */
export function CheckboxGroup({
  legend,
  options,
  checked,
  onToggle,
}: {
  legend: ReactNode;
  options: readonly { value: string; label: ReactNode }[];
  checked: ReadonlySet<string>;
  onToggle: (value: string, on: boolean) => void;
}) {
  const id = useId();
  return (
    <fieldset className="checkbox-group">
      <legend>{legend}</legend>
      {options.map((o, i) => (
        <div key={o.value} className="checkbox">
          <input
            id={`${id}-${i}`}
            type="checkbox"
            checked={checked.has(o.value)}
            onChange={(e) => onToggle(o.value, e.currentTarget.checked)}
          />
          <label htmlFor={`${id}-${i}`}>{o.label}</label>
        </div>
      ))}
    </fieldset>
  );
}
