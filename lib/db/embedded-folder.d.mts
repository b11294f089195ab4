// Types of embedded-folder.mjs (plain JavaScript, so the server can use it before Next.js loads).
export declare const DEFAULT_DATA_DIR: string;
export declare const EMBEDDED_SHARED_BUFFERS: string;
export declare function embeddedStartOptions(pglite: { defaultStartParams: string[] }): { startParams: string[] };
export declare function pgliteFolder(dataDir: string): string;
export declare function claimDataFolder(dataDir: string): () => void;
export declare function templateFolder(): string;
export declare function templateStamp(migrationsFolder: string): string;
export declare function templateIsCurrent(migrationsFolder: string): boolean;
export declare function stampTemplate(migrationsFolder: string): void;
export declare function removeTemplate(): void;
export declare function copyTemplate(migrationsFolder: string, dir: string): Promise<boolean>;
