import type { Db } from './client.ts';

/**
 * One repository per process and client, for repositories that cache what they read: a route
 * function that builds only what its routes use shares the instance with deps(), so a write made
 * through one clears the cache the other reads at once (other processes: within the cache's age).
 */
export function perProcess<R>(make: (db: Db) => R): (db: Db) => R {
  const held = new WeakMap<Db, R>();
  return (db) => {
    let repo = held.get(db);
    if (repo === undefined) held.set(db, (repo = make(db)));
    return repo;
  };
}
