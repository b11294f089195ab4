// Types of embedded-host.mjs (plain JavaScript, so the server can start the embedded database before Next.js loads).
import type { QueryOptions, Results } from "@electric-sql/pglite";

export declare const TEXT_TYPES: number[];

type Queryable = { query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> };

export declare class EmbeddedDatabase implements Queryable {
  constructor(options: { dataDir: string | null; migrationsFolder: string });
  /** The data folder it opened (null: in memory). */
  readonly dataDir: string | null;
  /** Settles when the database is open (rejects with the reason it could not be opened). */
  readonly waitReady: Promise<void>;
  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  transaction<T>(callback: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
