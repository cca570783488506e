import type { InputHTMLAttributes, ReactNode, TextareaHTMLAttributes } from 'react';

interface Common {
  label: string;
  /** Message shown under the field and linked by aria-describedby; marks the field invalid. */
  error?: string;
  hint?: ReactNode;
}

/** A labelled input with its hint and error announced to assistive technology. */
export function Field({ label, error, hint, id, ...input }: Common & InputHTMLAttributes<HTMLInputElement> & { id: string }) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export function TextArea({ label, error, hint, id, ...input }: Common & TextareaHTMLAttributes<HTMLTextAreaElement> & { id: string }) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** The form-level message region: polite live region so errors and confirmations are read out. */
export function FormMessage({ error, success }: { error?: string; success?: string }) {
  return (
    <div className="form-message" aria-live="polite" role="status">
      {error ? <p className="alert alert-error">{error}</p> : success ? <p className="alert alert-success">{success}</p> : null}
    </div>
  );
}
