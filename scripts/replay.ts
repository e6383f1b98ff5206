/**
 * `npm run -s replay -- CASE.json`: runs one reference case (any kind: forward,
 * forward-external, train, safetensors) through the engine's case runner, the same code path as
 * the tests, and prints to stdout only one JSON object with the computed counterparts of the
 * case's stored results, under the same keys and tensor format `{shape, data}`.
 *
 * A malformed case exits with status 1 and one line on stderr naming the problem; a usage
 * error exits with status 2. Files a case names (a `.safetensors` file) are read relative to the
 * case file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CASE_RESULT_KEYS, runCase } from '../src/engine/case';

function failWith(message: string, code: number): void {
  process.stderr.write(`replay: ${message}\n`);
  process.exitCode = code;
}

function main(argv: readonly string[]): void {
  const args = argv.filter((a) => a !== '--');
  if (args.length !== 1 || args[0] === '-h' || args[0] === '--help') {
    failWith('usage: npm run -s replay -- CASE.json', 2);
    return;
  }
  const file = path.resolve(args[0]);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    failWith(`cannot read ${args[0]}: ${(e as Error).message}`, 1);
    return;
  }
  let caseJson: unknown;
  try {
    caseJson = JSON.parse(text);
  } catch (e) {
    failWith(`${args[0]} is not valid JSON: ${(e as Error).message}`, 1);
    return;
  }
  const dir = path.dirname(file);
  let result: Record<string, unknown>;
  try {
    result = runCase(caseJson, {
      loadFile: (rel) => new Uint8Array(readFileSync(path.resolve(dir, rel))),
    });
  } catch (e) {
    failWith(`${args[0]}: ${e instanceof Error ? e.message : String(e)}`, 1);
    return;
  }
  // Only the result keys a case can store, in the reference order.
  const out: Record<string, unknown> = {};
  for (const key of CASE_RESULT_KEYS) if (key in result) out[key] = result[key];
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main(process.argv.slice(2));
