/**
 * A form generated from a JSON Schema (the program's, served at GET /v1/program/schema): objects
 * become fieldsets, enums selects, numbers number inputs, lists of objects repeatable groups,
 * `oneOf` a choice of kind. Shapes it does not draw (free-form maps) are edited as JSON in place.
 * Each field carries its dotted JSON path, so the API's validation issues appear at their field;
 * an issue under a part drawn as JSON appears at that part.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useId } from './kit.tsx';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  additionalProperties?: boolean | JsonSchema;
}

export type Issues = ReadonlyMap<string, readonly string[]>;
type Json = unknown;

interface FieldProps {
  readonly schema: JsonSchema;
  readonly value: Json;
  readonly onChange: (v: Json) => void;
  readonly path: string;
  readonly name: string;
  readonly issues: Issues;
}

const typeOf = (s: JsonSchema): string | undefined => (Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type);
const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));
const human = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());

/** Issues at a path and, for parts drawn as a whole (JSON), anywhere under it. */
function issuesAt(issues: Issues, path: string, under = false): string[] {
  const out: string[] = [];
  for (const [p, messages] of issues) {
    if (p === path) out.push(...messages);
    else if (under && p.startsWith(`${path}.`)) out.push(...messages.map((m) => `${p.slice(path.length + 1)}: ${m}`));
  }
  return out;
}

/** A blank value for a schema: its default, else the smallest thing of its type. */
export function blank(s: JsonSchema): Json {
  if (s.default !== undefined) return structuredClone(s.default);
  if (s.const !== undefined) return s.const;
  if (s.oneOf?.[0]) return blank(s.oneOf[0]);
  switch (typeOf(s)) {
    case 'object': return Object.fromEntries((s.required ?? []).map((k) => [k, blank(s.properties?.[k] ?? {})]));
    case 'array': return [];
    case 'integer': case 'number': return s.minimum ?? 0;
    case 'boolean': return false;
    case 'string': return s.enum?.[0] ?? '';
    default: return null;
  }
}

function Errors({ id, messages }: { id: string; messages: string[] }) {
  if (!messages.length) return null;
  return (
    <small class="error" id={id} data-testid="field-error">
      {messages.join('; ')}
    </small>
  );
}

export function SchemaField(props: FieldProps): ComponentChildren {
  const { schema } = props;
  const variants = schema.oneOf ?? schema.anyOf?.filter((v) => typeOf(v) !== 'null');
  if (variants && variants.length > 1) return <OneOf {...props} variants={variants} />;
  const t = typeOf(variants?.[0] ?? schema);
  const s = variants?.[0] ?? schema;
  if (t === 'object' && s.properties) return <ObjectField {...props} schema={s} />;
  if (t === 'array' && s.items && (typeOf(s.items) === 'object' || s.items.oneOf)) return <ListField {...props} schema={s} />;
  if (t === 'array' && s.items) return <ScalarList {...props} schema={s} />;
  if (t === 'string' || t === 'integer' || t === 'number' || t === 'boolean') return <Scalar {...props} schema={s} />;
  return <JsonField {...props} />;
}

function ObjectField({ schema, value, onChange, path, name, issues }: FieldProps) {
  const obj = (value && typeof value === 'object' ? value : {}) as Record<string, Json>;
  const set = (k: string, v: Json) => onChange({ ...obj, [k]: v });
  const drop = (k: string) => {
    const { [k]: _, ...rest } = obj;
    onChange(rest);
  };
  const errId = useId('e');
  const own = issuesAt(issues, path);
  const body = Object.entries(schema.properties ?? {}).map(([k, sub]) => {
    const p = join(path, k);
    if (k in obj) {
      const optional = !schema.required?.includes(k);
      return (
        <div class="prop" key={k}>
          <SchemaField schema={sub} value={obj[k]} onChange={(v) => set(k, v)} path={p} name={k} issues={issues} />
          {optional && (
            <button type="button" class="link" onClick={() => drop(k)} aria-label={`remove ${p}`}>
              remove
            </button>
          )}
        </div>
      );
    }
    return (
      <button type="button" class="link add" key={k} onClick={() => set(k, blank(sub))} aria-label={`+ ${human(k)} (${p})`}>
        + {human(k)}
      </button>
    );
  });
  if (!path) return <div class="schema-root">{body}<Errors id={errId} messages={own} /></div>;
  return (
    <fieldset data-path={path} aria-describedby={own.length ? errId : undefined}>
      <legend>{human(name)}</legend>
      {schema.description && <p class="hint">{schema.description}</p>}
      {body}
      <Errors id={errId} messages={own} />
    </fieldset>
  );
}

function ListField({ schema, value, onChange, path, name, issues }: FieldProps) {
  const list = Array.isArray(value) ? value : [];
  const errId = useId('e');
  const own = issuesAt(issues, path);
  return (
    <fieldset data-path={path} aria-describedby={own.length ? errId : undefined}>
      <legend>{human(name)}</legend>
      {schema.description && <p class="hint">{schema.description}</p>}
      <ol class="list">
        {list.map((item, i) => (
          <li key={i}>
            <SchemaField schema={schema.items!} value={item} onChange={(v) => onChange(list.map((x, j) => (j === i ? v : x)))} path={join(path, i)} name={`${name} ${i + 1}`} issues={issues} />
            <button type="button" class="link" onClick={() => onChange(list.filter((_, j) => j !== i))} aria-label={`remove ${join(path, i)}`}>
              remove
            </button>
          </li>
        ))}
      </ol>
      <button type="button" class="link add" onClick={() => onChange([...list, blank(schema.items!)])} aria-label={`+ add to ${path}`}>
        + add
      </button>
      <Errors id={errId} messages={own} />
    </fieldset>
  );
}

function OneOf(props: FieldProps & { variants: JsonSchema[] }) {
  const { variants, value, onChange, path, name, issues } = props;
  // The property whose constant tells the variants apart (`type`, `kind`).
  const tag = Object.keys(variants[0]?.properties ?? {}).find((k) => variants.every((v) => v.properties?.[k]?.const !== undefined));
  const current = (value ?? {}) as Record<string, Json>;
  const index = Math.max(0, tag ? variants.findIndex((v) => v.properties![tag]!.const === current[tag]) : 0);
  const id = useId('v');
  if (!tag) return <JsonField {...props} />;
  return (
    <fieldset data-path={path}>
      <legend>{human(name)}</legend>
      <label for={id}>Kind</label>
      <select id={id} value={String(index)} onChange={(e) => onChange(blank(variants[Number(e.currentTarget.value)]!))}>
        {variants.map((v, i) => (
          <option key={i} value={String(i)}>{String(v.properties![tag]!.const)}</option>
        ))}
      </select>
      <SchemaField schema={{ ...variants[index]!, properties: Object.fromEntries(Object.entries(variants[index]!.properties ?? {}).filter(([k]) => k !== tag)) }} value={value} onChange={(v) => onChange({ ...(v as object), [tag]: variants[index]!.properties![tag]!.const })} path={path} name="" issues={issues} />
    </fieldset>
  );
}

function Scalar({ schema, value, onChange, path, name, issues }: FieldProps) {
  const id = useId('s');
  const messages = issuesAt(issues, path);
  const described = [messages.length ? `${id}-err` : '', schema.description ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  const t = typeOf(schema);
  let input;
  if (schema.enum) {
    input = (
      <select id={id} data-path={path} aria-invalid={messages.length > 0} aria-describedby={described} value={String(value ?? '')} onChange={(e) => onChange(e.currentTarget.value)}>
        {schema.enum.map((o) => <option key={String(o)} value={String(o)}>{String(o)}</option>)}
      </select>
    );
  } else if (t === 'boolean') {
    input = <input id={id} data-path={path} type="checkbox" aria-invalid={messages.length > 0} aria-describedby={described} checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} />;
  } else if (t === 'integer' || t === 'number') {
    input = (
      <input id={id} data-path={path} type="number" step={t === 'integer' ? 1 : 'any'} aria-invalid={messages.length > 0} aria-describedby={described} value={value === undefined || value === null ? '' : String(value)}
        onInput={(e) => onChange(e.currentTarget.value === '' ? null : Number(e.currentTarget.value))} />
    );
  } else {
    input = <input id={id} data-path={path} aria-invalid={messages.length > 0} aria-describedby={described} value={String(value ?? '')} onInput={(e) => onChange(e.currentTarget.value)} />;
  }
  return (
    <div class={`field${messages.length ? ' invalid' : ''}`}>
      <label for={id}>{human(name)}</label>
      {input}
      {schema.description && <small id={`${id}-hint`} class="hint">{schema.description}</small>}
      <Errors id={`${id}-err`} messages={messages} />
    </div>
  );
}

/** A list of plain values as one comma-separated line (SKUs, categories, days). */
function ScalarList({ schema, value, onChange, path, name, issues }: FieldProps) {
  const id = useId('l');
  const list = Array.isArray(value) ? value : [];
  const [text, setText] = useState(list.join(', '));
  useEffect(() => setText(list.join(', ')), [JSON.stringify(list)]);
  const numeric = ['integer', 'number'].includes(typeOf(schema.items!) ?? '');
  const messages = issuesAt(issues, path, true);
  return (
    <div class={`field${messages.length ? ' invalid' : ''}`}>
      <label for={id}>{human(name)}</label>
      <input id={id} data-path={path} aria-invalid={messages.length > 0} aria-describedby={`${id}-hint${messages.length ? ` ${id}-err` : ''}`} value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onBlur={() => onChange(text.split(',').map((x) => x.trim()).filter(Boolean).map((x) => (numeric ? Number(x) : x)))} />
      <small id={`${id}-hint`} class="hint">comma-separated{schema.items?.enum ? `: ${schema.items.enum.join(', ')}` : ''}</small>
      <Errors id={`${id}-err`} messages={messages} />
    </div>
  );
}

function JsonField({ value, onChange, path, name, issues }: FieldProps) {
  const id = useId('j');
  const [text, setText] = useState(JSON.stringify(value ?? null, null, 2));
  const [bad, setBad] = useState<string | null>(null);
  const messages = [...issuesAt(issues, path, true), ...(bad ? [bad] : [])];
  return (
    <div class={`field${messages.length ? ' invalid' : ''}`}>
      <label for={id}>{human(name)} (JSON)</label>
      <textarea id={id} data-path={path} rows={4} aria-invalid={messages.length > 0} aria-describedby={messages.length ? `${id}-err` : undefined} value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onBlur={() => {
          try {
            onChange(JSON.parse(text));
            setBad(null);
          } catch {
            setBad('not valid JSON');
          }
        }} />
      <Errors id={`${id}-err`} messages={messages} />
    </div>
  );
}

/** Every difference between two JSON values, as dotted paths. */
export function diffJson(before: Json, after: Json, path = ''): Array<{ path: string; before?: Json; after?: Json }> {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObj = (v: Json) => v !== null && typeof v === 'object';
  if (isObj(before) && isObj(after) && Array.isArray(before) === Array.isArray(after)) {
    const b = before as Record<string, Json>;
    const a = after as Record<string, Json>;
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
    return keys.flatMap((k) => (!(k in a) ? [{ path: join(path, k), before: b[k] }] : !(k in b) ? [{ path: join(path, k), after: a[k] }] : diffJson(b[k], a[k], join(path, k))));
  }
  return [{ path: path || '(document)', before, after }];
}
