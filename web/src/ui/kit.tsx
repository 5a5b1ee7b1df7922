/** Small shared pieces: a labelled field, an error/notice area, a busy-aware form. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiFailure } from '../api/client.ts';

let nextId = 0;
export const useId = (prefix: string) => useState(() => `${prefix}-${++nextId}`)[0];

export function Field(props: { label: string; error?: string | undefined; hint?: string; children: (id: string, describedBy: string | undefined) => ComponentChildren }) {
  const id = useId('f');
  const describedBy = [props.error ? `${id}-err` : '', props.hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${props.error ? ' invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.children(id, describedBy)}
      {props.hint && <small id={`${id}-hint`}>{props.hint}</small>}
      {props.error && (
        <small class="error" id={`${id}-err`}>
          {props.error}
        </small>
      )}
    </div>
  );
}

export function Notice(props: { error?: unknown; ok?: ComponentChildren }) {
  if (props.error) {
    const e = props.error;
    const text = e instanceof ApiFailure ? `${e.message} (${e.code})` : e instanceof Error ? e.message : String(e);
    return (
      <p class="notice error" role="alert">
        {text}
      </p>
    );
  }
  if (props.ok) return <p class="notice ok" role="status">{props.ok}</p>;
  return null;
}

/** Runs an async action with a busy flag and keeps its error for display. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async <T,>(f: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await f();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

export const fieldError = (error: unknown, field: string): string | undefined =>
  error instanceof ApiFailure && error.field === field ? error.message : undefined;

export function Form(props: { onSubmit: () => void; label: string; children: ComponentChildren; class?: string }) {
  const submit = (e: Event) => {
    e.preventDefault();
    props.onSubmit();
  };
  return (
    <form class={props.class ?? 'stack'} aria-label={props.label} onSubmit={submit}>
      {props.children}
    </form>
  );
}

export const formatDate = (iso: string, locale?: string) => new Date(iso).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
export const newId = (prefix: string) => `${prefix}-${crypto.randomUUID()}`;
