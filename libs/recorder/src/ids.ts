const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const ID = /^[A-Za-z0-9_-]{8,64}$/;

/** A random id in the alphabet the ingest envelope accepts; 22 characters carry 132 random bits. */
export function randomId(length = 22): string {
  const bytes = new Uint8Array(length);
  const c = globalThis.crypto;
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < length; i++) bytes[i] = Math.floor(Math.random() * 256);
  let id = '';
  for (const b of bytes) id += ALPHABET[b & 63];
  return id;
}

export const isId = (value: unknown): value is string => typeof value === 'string' && ID.test(value);
