/** Safe reading and writing of user files (packages/core/src/files). */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { beginSafeWrite, LinkcapFileError, MAX_INPUT_FILE_BYTES, readTextFile, resolveWriteTarget, updateFileSafely, withFileLock, writeFileSafely } from '../src/files/index.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'linkcap-files-'));
}

describe('readTextFile', () => {
  it('reads a regular file', () => {
    const file = join(tempDir(), 'a.yaml');
    writeFileSync(file, 'chips: {}\n');
    expect(readTextFile(file)).toBe('chips: {}\n');
  });

  it('refuses a link to /dev/zero as a device, naming the path (instead of reading forever)', () => {
    const link = join(tempDir(), 'zero.yaml');
    symlinkSync('/dev/zero', link);
    expect(() => readTextFile(link, { what: 'catalog file' })).toThrow(LinkcapFileError);
    expect(() => readTextFile(link, { what: 'catalog file' })).toThrow(`${link}: is a device, not a regular file; linkcap reads a catalog file only from a regular file`);
  });

  it('refuses a FIFO without waiting for a writer', () => {
    const fifo = join(tempDir(), 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(() => readTextFile(fifo)).toThrow(/pipe\.yaml: is a pipe, not a regular file/);
  });

  it('refuses directories, missing files and files over the size limit, naming the path and the limit', () => {
    const dir = tempDir();
    expect(() => readTextFile(dir, { what: 'model file' })).toThrow(`${dir}: is a directory; expected a model file`);
    expect(() => readTextFile(join(dir, 'none.yaml'))).toThrow(/none\.yaml: cannot open the file: no such file or directory/);
    const big = join(dir, 'big.yaml');
    writeFileSync(big, '');
    truncateSync(big, MAX_INPUT_FILE_BYTES + 1);
    expect(() => readTextFile(big)).toThrow(/big\.yaml: the file is 16,777,217 bytes; linkcap reads files of at most 16 MiB \(16,777,216 bytes\)/);
    expect(() => readTextFile(join(dir, 'big.yaml'), { maxBytes: 10 })).toThrow(/the file is 16,777,217 bytes; linkcap reads files of at most 10 bytes/);
  });
});

describe('writeFileSafely', () => {
  it('replaces the file atomically, keeping its mode and leaving no temporary file', async () => {
    const dir = tempDir();
    const file = join(dir, 'out.yaml');
    writeFileSync(file, 'old\n');
    chmodSync(file, 0o600);
    expect(await writeFileSafely(file, 'new\n')).toEqual({ target: file, created: false });
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['out.yaml']);
    expect(await writeFileSafely(join(dir, 'fresh.json'), new Uint8Array([123, 125]))).toEqual({ target: join(dir, 'fresh.json'), created: true });
    expect(readFileSync(join(dir, 'fresh.json'), 'utf8')).toBe('{}');
  });

  it('writes through symbolic links (also dangling ones): the link stays, the shared target changes', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'shared'));
    const target = join(dir, 'shared', 'catalog.yaml');
    writeFileSync(target, 'old\n');
    const link = join(dir, 'linkcap.catalog.yaml');
    symlinkSync('shared/catalog.yaml', link);
    expect(await writeFileSafely(link, 'new\n')).toEqual({ target, created: false });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new\n');

    const dangling = join(dir, 'dangling.yaml');
    symlinkSync('shared/later.yaml', dangling);
    expect(resolveWriteTarget(dangling)).toBe(join(dir, 'shared', 'later.yaml'));
    await writeFileSafely(dangling, 'created\n');
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'shared', 'later.yaml'), 'utf8')).toBe('created\n');
  });

  it('refuses a read-only file (even as root) and leaves it as it was', async () => {
    const dir = tempDir();
    const file = join(dir, 'frozen.yaml');
    writeFileSync(file, 'keep\n');
    chmodSync(file, 0o444);
    await expect(writeFileSafely(file, 'lost\n')).rejects.toThrow(`${file}: is read-only; left unchanged`);
    expect(readFileSync(file, 'utf8')).toBe('keep\n');
    expect(statSync(file).mode & 0o777).toBe(0o444);
    expect(readdirSync(dir)).toEqual(['frozen.yaml']);
  });

  it('names the path the user gave when the directory is missing, never a temporary file', async () => {
    const file = join(tempDir(), 'no-such-dir', 'out.yaml');
    const error = await writeFileSafely(file, 'x').catch((e: Error) => e);
    expect(error).toBeInstanceOf(LinkcapFileError);
    expect((error as Error).message).toMatch(/out\.yaml: directory .*no-such-dir does not exist/);
    expect((error as Error).message).not.toMatch(/\.tmp|\.\d{3,}/);
  });
});

describe('updateFileSafely', () => {
  it('serialises concurrent read-modify-writes: every change is kept', async () => {
    const file = join(tempDir(), 'list.txt');
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        updateFileSafely(file, async (current) => {
          await new Promise((done) => setTimeout(done, 5));
          return `${current ?? ''}${i}\n`;
        }),
      ),
    );
    const lines = readFileSync(file, 'utf8').trim().split('\n').map(Number);
    expect(lines.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('writes nothing when the update returns the same text or throws', async () => {
    const dir = tempDir();
    const file = join(dir, 'same.txt');
    writeFileSync(file, 'x');
    expect((await updateFileSafely(file, (current) => current)).changed).toBe(false);
    await expect(updateFileSafely(file, () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(readFileSync(file, 'utf8')).toBe('x');
    expect(readdirSync(dir)).toEqual(['same.txt']);
  });

  it('gives up waiting for a held lock after waitMs with a message naming the lock', async () => {
    const file = join(tempDir(), 'busy.yaml');
    writeFileSync(file, '');
    await withFileLock(file, async () => {
      await expect(updateFileSafely(file, () => 'y', { waitMs: 300 })).rejects.toThrow(/busy\.yaml: another process has been writing it .*busy\.yaml\.lock/);
    });
    expect((await updateFileSafely(file, () => 'y')).changed).toBe(true);
  });
});

describe('lazy dependencies', () => {
  it('the yaml and file-locking packages load only when a YAML file is read or a file is written', () => {
    const core = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `
      const { createRequire } = await import('node:module');
      const loaded = (name) => Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('/node_modules/' + name + '/'));
      const core = await import(${JSON.stringify(core)});
      const cluster = core.resolveCluster('hgx-h800', core.loadCatalog({ env: {} }));
      core.predictCollective({ op: 'all-reduce', bytes: 1 << 20, gpus: 8, cluster, engine: 'reference' });
      const before = ['yaml', 'proper-lockfile', 'write-file-atomic'].map(loaded);
      core.parseCatalogText('chips: {}', 'x.yaml');
      console.log(JSON.stringify({ before, yamlAfter: loaded('yaml') }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: tempDir(), encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ before: [false, false, false], yamlAfter: true });
  });
});

describe('beginSafeWrite', () => {
  it('streams into a temporary file beside the target and renames it over on commit', async () => {
    const dir = tempDir();
    const file = join(dir, 'rows.csv');
    writeFileSync(file, 'old\n');
    const pending = beginSafeWrite(file);
    expect(pending.temporaryPath.startsWith(join(dir, '.rows.csv.'))).toBe(true);
    writeFileSync(pending.temporaryPath, 'a,b\n1,2\n');
    expect(readFileSync(file, 'utf8')).toBe('old\n'); // untouched until commit
    expect(await pending.commit()).toEqual({ target: file, created: false });
    expect(readFileSync(file, 'utf8')).toBe('a,b\n1,2\n');
    expect(readdirSync(dir)).toEqual(['rows.csv']);
  });

  it('abort leaves the target as it was and removes the temporary file; a killed writer leaves nothing', async () => {
    const dir = tempDir();
    const file = join(dir, 'out.json');
    const pending = beginSafeWrite(file);
    writeFileSync(pending.temporaryPath, '{"half":');
    await pending.abort();
    expect(readdirSync(dir)).toEqual([]);
    const core = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `const { beginSafeWrite } = await import(${JSON.stringify(core)}); beginSafeWrite(${JSON.stringify(file)}); process.kill(process.pid, 'SIGTERM'); await new Promise((r) => setTimeout(r, 5000));`;
    try {
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    } catch {
      // killed, as intended
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses read-only targets before anything is written', () => {
    const dir = tempDir();
    const file = join(dir, 'frozen.csv');
    writeFileSync(file, 'keep\n');
    chmodSync(file, 0o444);
    expect(() => beginSafeWrite(file)).toThrow(/frozen\.csv: is read-only/);
    expect(readdirSync(dir)).toEqual(['frozen.csv']);
  });
});
