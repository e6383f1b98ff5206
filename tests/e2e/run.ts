/**
 * Runs every `tests/e2e/*.e2e.ts` in one process so they share one preview server and one
 * Chromium (see harness.ts). `npm run test:e2e -- <text>...` keeps only files whose name
 * contains one of the texts. Node's test runner prints the closing summary (tests/pass/fail)
 * and sets the exit code.
 *
 * First it runs `npm run build` unless `dist/` is newer than every build input (so CI, which
 * has just built, does not build twice); `--build` forces a build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { pathToFileURL } from 'node:url';
import { closeHarness, ROOT } from './harness.ts';

/** Hard stop for the whole run, well inside CI's 15 minutes. */
const RUN_TIMEOUT_MS = 10 * 60_000;

/** Everything `vite build` reads; a change to any of them makes `dist/` stale. */
const BUILD_INPUTS = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'];

/** Newest modification time under `path` (directories count: deleting a file changes them). */
function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function distIsFresh(): boolean {
  const index = join(ROOT, 'dist/index.html');
  if (!existsSync(index)) return false;
  const built = statSync(index).mtimeMs;
  return BUILD_INPUTS.map((p) => join(ROOT, p))
    .filter((p) => existsSync(p))
    .every((p) => newestMtime(p) <= built);
}

if (process.argv.includes('--build') || !distIsFresh()) {
  console.log('e2e: building the app (npm run build)...');
  const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`e2e: npm run build failed (exit ${r.status ?? r.signal}).`);
    process.exit(1);
  }
} else {
  console.log('e2e: dist/ is newer than every source file: testing it without rebuilding.');
}

const dir = import.meta.dirname;
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.e2e.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.error(`No tests/e2e/*.e2e.ts file matches ${JSON.stringify(filters)}.`);
  process.exit(1);
}

const watchdog = setTimeout(() => {
  console.error(`e2e run exceeded ${RUN_TIMEOUT_MS / 1000} s: stopping.`);
  void closeHarness().finally(() => process.exit(1));
}, RUN_TIMEOUT_MS);
watchdog.unref();

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void closeHarness().finally(() => process.exit(130)));
}

describe('e2e', async () => {
  after(closeHarness);
  for (const f of files) await import(pathToFileURL(join(dir, f)).href);
});
