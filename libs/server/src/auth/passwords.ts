import { hash, verify } from '@node-rs/argon2';

/** Argon2id with the library's defaults (memory-hard; about 20 ms on a 2-core machine). */
export const hashPassword = (password: string): Promise<string> => hash(password);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Verified against when the email is unknown, so that a wrong email takes as long as a wrong password. */
let dummyHash: Promise<string> | undefined;
export const dummyPasswordHash = () => (dummyHash ??= hash('loupe-timing-equaliser'));
