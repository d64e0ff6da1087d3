import { z } from 'zod';

/**
 * One section of a project's settings: a strict schema of its fields and the defaults a project
 * starts with. A change names some fields of a section; objects inside it are merged field by
 * field with what is stored, arrays and values replaced, and the result must pass the whole schema
 * (`patch` only checks it is an object: the real check runs on the merged section).
 */
export function settingsSection<S extends z.core.$ZodLooseShape>(shape: S, defaults: z.infer<z.ZodObject<S, z.core.$strict>>) {
  const schema = z.strictObject(shape);
  return { schema, defaults, patch: z.record(z.string(), z.unknown()) };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `base` with `change` laid over it: nested objects merged, everything else replaced. */
export function mergeSettings(base: unknown, change: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(change)) return change;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(change)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    out[k] = mergeSettings(base[k], v);
  }
  return out;
}
