/** Types of scripts/check-architecture.mjs, for test/unit/architecture.test.ts. */

/** The largest number of lines a file in src/ may have. */
export declare const MAX_LINES: number;

/** One import cycle: the files of its strongly connected component and one loop through them. */
export interface ImportCycle {
  files: string[];
  loop: string[];
}

/** Checks `root`/src for import cycles and files over `maxLines` lines (paths relative to root). */
export declare function checkArchitecture(root: string, maxLines?: number): { cycles: ImportCycle[]; oversized: { file: string; lines: number }[] };
