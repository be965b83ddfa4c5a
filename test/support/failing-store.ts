import type { ChallengeStore } from '../../src/store/store.ts';

/**
 * Wraps a store so that tests can make chosen methods throw, to provoke 5xx responses. While
 * `failing` is empty every call goes through unchanged.
 */
export function failingStore(inner: ChallengeStore): { store: ChallengeStore; failing: Set<keyof ChallengeStore> } {
  const failing = new Set<keyof ChallengeStore>();
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (failing.has(property as keyof ChallengeStore)) {
          return Promise.reject(new Error(`store method ${String(property)} failed on purpose (test)`));
        }
        return value.apply(target, args);
      };
    },
  });
  return { store, failing };
}
