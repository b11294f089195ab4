// The account store the portal uses: chosen by DIRECTORY (builtin|ad|ldap). Every page, action and service that reads
// or changes an account goes through getAccountStore(); nothing else reads the users table for them.
import "server-only";
import { getDb, type Db } from "@/lib/db/client";
import { builtinAccountStore, type BuiltinOptions } from "./builtin";
import type { AccountStore, DirectoryKind } from "./types";

export type { Account, AccountStore } from "./types";

/**
 * The configured store. `db` binds the builtin store to a database (tests pass theirs; the portal's is opened on first
 * use); `clock` is the time its changes are stamped with (a step's own time). The switch point for the directory backends: read DIRECTORY from the configuration and add `ad` and `ldap` here
 * (their modules beside builtin.ts); they keep flows, codes, limits, sessions and audit rows in Toegang's database too.
 */
export function getAccountStore(db?: Db, options: BuiltinOptions = {}): AccountStore {
  const kind: DirectoryKind = "builtin";
  switch (kind) {
    case "builtin":
      return builtinAccountStore(db ?? getDb, options);
  }
}
