import type { Knex } from "knex";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** A migration module: `up` and `down` functions, as knex expects. */
export interface Migration {
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

const MIGRATIONS_DIRECTORY = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/**
 * Lists the migrations in `src/database/migrations` (or `dist/database/migrations`
 * when compiled) and names them without their extension. knex records migration
 * names in the database, so the same file must have the same name whether it
 * runs as `.ts` under tsx (tests, knex CLI) or as `.js` from `dist/`.
 */
export class DirectoryMigrationSource implements Knex.MigrationSource<{ file: string }> {
  constructor(private readonly directory = MIGRATIONS_DIRECTORY) {}

  async getMigrations(): Promise<Array<{ file: string }>> {
    // `{ file }` objects: the knex CLI lists pending migrations by that field.
    return readdirSync(this.directory)
      .filter((file) => /^\d+_[\w-]+\.(ts|js)$/.test(file) && !file.endsWith(".d.ts"))
      .sort()
      .map((file) => ({ file }));
  }

  getMigrationName({ file }: { file: string }): string {
    return file.replace(/\.(ts|js)$/, "");
  }

  async getMigration({ file }: { file: string }): Promise<Migration> {
    return (await import(pathToFileURL(path.join(this.directory, file)).href)) as Migration;
  }
}
