// The account store the portal uses, chosen by DIRECTORY (builtin|ad|ldap). Every page, action and service that reads
// or changes an account goes through getAccountStore(); nothing else reads the users table for them.
import "server-only";
import { getConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { createAdStore } from "./ad";
import { builtinAccountStore, type BuiltinOptions } from "./builtin";
import type { DirectoryAccountStore } from "./directory/store";
import { createLdapStore } from "./ldap";
import type { AccountStore } from "./types";

export type { Account, AccountStore } from "./types";

/** One directory store per database: it holds the connection pools, which live as long as the process. */
const directoryStores = new WeakMap<Db, DirectoryAccountStore>();

/**
 * The configured store over the portal's database (a test's own, in tests). Builtin stores are cheap and take `clock`, the
 * time their changes are stamped with (a step's own time); a directory store is made once per database and keeps its
 * pooled connections. Flows, codes, limits, sessions and audit rows stay in Toegang's database for every backend.
 */
export function getAccountStore(db: Db, options: BuiltinOptions = {}): AccountStore {
  const directory = getConfig().directory;
  if (directory.kind === "builtin") return builtinAccountStore(db, options);
  let store = directoryStores.get(db);
  if (!store) {
    store = directory.kind === "ad" ? createAdStore(directory, db) : createLdapStore(directory, db);
    directoryStores.set(db, store);
  }
  return store;
}
