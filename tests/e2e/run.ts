/**
 * Runs every `tests/e2e/*.e2e.ts` in one process so they share one preview server and one
 * Chromium (see harness.ts). `npm run test:e2e -- <text>...` keeps only files whose name
 * contains one of the texts. Node's test runner prints the closing summary (tests/pass/fail)
 * and sets the exit code.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { pathToFileURL } from 'node:url';
import { closeHarness } from './harness.ts';

/** Hard stop for the whole run, well inside CI's 15 minutes. */
const RUN_TIMEOUT_MS = 10 * 60_000;

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
