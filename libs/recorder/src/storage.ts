/** The little of Web Storage the SDK needs; never throws, so callers need no try/catch. */
export interface KeyValueStore {
  get(key: string): string | null;
  /** False when the value could not be stored (quota, storage disabled). */
  set(key: string, value: string): boolean;
  remove(key: string): void;
  keys(): string[];
}

export function memoryStore(): KeyValueStore {
  const map = new Map<string, string>();
  return {
    get: (k) => map.get(k) ?? null,
    set: (k, v) => (map.set(k, v), true),
    remove: (k) => void map.delete(k),
    keys: () => [...map.keys()],
  };
}

/**
 * localStorage or sessionStorage, or memory when the browser refuses them (sandboxed iframes throw
 * on access, some private modes on write): recording then still works for the page's lifetime.
 */
export function browserStore(kind: 'localStorage' | 'sessionStorage'): KeyValueStore {
  let storage: Storage;
  try {
    storage = window[kind];
    const probe = 'loupe.probe';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
  } catch {
    return memoryStore();
  }
  return {
    get(k) {
      try {
        return storage.getItem(k);
      } catch {
        return null;
      }
    },
    set(k, v) {
      try {
        storage.setItem(k, v);
        return true;
      } catch {
        return false;
      }
    },
    remove(k) {
      try {
        storage.removeItem(k);
      } catch {
        // Nothing to undo.
      }
    },
    keys() {
      const out: string[] = [];
      try {
        for (let i = 0; i < storage.length; i++) {
          const k = storage.key(i);
          if (k !== null) out.push(k);
        }
      } catch {
        // An unreadable storage holds nothing for us.
      }
      return out;
    },
  };
}
