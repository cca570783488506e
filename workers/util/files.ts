/**
 * Atomic file writes (DESIGN.md: "nothing is half-written"): the bytes go to a temporary name in the
 * same folder (or in `tmpDir`, which must be on the same filesystem), then one rename puts them in
 * place, so a reader sees the old file or the whole new one, never a part. The temporary file is
 * removed if anything fails. The parent folder is created when missing.
 *
 * These are for the edges (functions/, cli/, main.ts and the caches that libraries keep today, see
 * issue 18 item 2); a pure library does not call them.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** Folder for the temporary file (default: the target's folder), e.g. an artifact store's tmp/. */
  tmpDir?: string;
}

/** `<dir>/<name>.<pid>.<random>.tmp`: unique per process and call, beside the target unless tmpDir says. */
function temporaryName(file: string, opts: AtomicWriteOptions): string {
  const dir = opts.tmpDir ?? path.dirname(file);
  return path.join(dir, `${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Writes `data` to `file` atomically (temporary name, then rename); synchronous. */
export function writeFileAtomicSync(file: string, data: Uint8Array | string, opts: AtomicWriteOptions = {}): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  if (opts.tmpDir) mkdirSync(opts.tmpDir, { recursive: true });
  const tmp = temporaryName(file, opts);
  try {
    writeFileSync(tmp, data, { flag: 'wx' });
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Writes `data` to `file` atomically (temporary name, then rename). */
export async function writeFileAtomic(file: string, data: Uint8Array | string, opts: AtomicWriteOptions = {}): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  if (opts.tmpDir) await mkdir(opts.tmpDir, { recursive: true });
  const tmp = temporaryName(file, opts);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** A folder written whole or not at all (a result bundle, for one): see stagedFolderSync. */
export interface StagedFolder {
  /** The temporary sibling the files go to until commit. */
  readonly tmp: string;
  /** Writes one file; `file` is relative to the folder (sub-folders allowed). */
  put(file: string, data: Uint8Array | string): void;
  /** Moves the folder into place (replacing an older one) and returns its absolute path. */
  commit(): string;
  /** Removes the temporary folder. */
  abort(): void;
}

/**
 * Files go into `<dir>.partial-<pid>` (emptied at the first put), and commit() renames it to `dir`, so a reader
 * never sees half a folder. The writer to disk of result bundles (workers/analyses BundleWriter's sink).
 */
export function stagedFolderSync(dir: string): StagedFolder {
  const target = path.resolve(dir);
  const tmp = `${target}.partial-${process.pid}`;
  let started = false;
  const start = () => {
    if (started) return;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    started = true;
  };
  return {
    tmp,
    put(file, data) {
      start();
      const full = path.join(tmp, file);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, data);
    },
    commit() {
      start();
      if (existsSync(target)) rmSync(target, { recursive: true, force: true });
      renameSync(tmp, target);
      return target;
    },
    abort() {
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/**
 * A folder as named files, for libraries that store several files but do no I/O themselves (nn's
 * model and checkpoint formats): the edge makes it with folderFiles(dir) and passes it down.
 */
export interface FolderFiles {
  /** The folder's path, for messages. */
  readonly where: string;
  read(name: string): Promise<Uint8Array>;
  /** Writes atomically (temporary name, then rename), creating folders. */
  write(name: string, data: Uint8Array | string): Promise<void>;
  /** The names in the folder ([] when it does not exist). */
  list(): Promise<string[]>;
  /** Removes a file or a sub-folder (nothing when absent). */
  remove(name: string): Promise<void>;
  /** A sub-folder. */
  folder(name: string): FolderFiles;
}

/** FolderFiles on the filesystem, rooted at `dir`. */
export function folderFiles(dir: string): FolderFiles {
  return {
    where: dir,
    read: async (name) => new Uint8Array(await readFile(path.join(dir, name))),
    write: (name, data) => writeFileAtomic(path.join(dir, name), data),
    list: async () => (await readdir(dir).catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return []; throw e; })),
    remove: (name) => rm(path.join(dir, name), { recursive: true, force: true }),
    folder: (name) => folderFiles(path.join(dir, name)),
  };
}

/** A folder as named files, synchronously (the dataset builder's store): see folderFilesSync. */
export interface SyncFolderFiles {
  /** The folder's path, for messages. */
  readonly where: string;
  /** The file's bytes, or null when it does not exist. */
  read(name: string): Uint8Array | null;
  /** Writes atomically (temporary name, then rename), creating folders. */
  write(name: string, data: Uint8Array | string): void;
  /** The names in a sub-folder, or null when it does not exist. */
  list(folder: string): string[] | null;
}

/** SyncFolderFiles on the filesystem, rooted at `dir`. */
export function folderFilesSync(dir: string): SyncFolderFiles {
  return {
    where: dir,
    read: (name) => {
      try {
        return new Uint8Array(readFileSync(path.join(dir, name)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
    write: (name, data) => writeFileAtomicSync(path.join(dir, name), data),
    list: (folder) => (existsSync(path.join(dir, folder)) ? readdirSync(path.join(dir, folder)) : null),
  };
}
