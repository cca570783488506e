/**
 * `npm run deeper -- info <subcommand>`: information-theory commands.
 *   verify <vectors.json>   evaluate every case of a GCMI reference-vectors file; prints each
 *                           failing case and ends with one JSON line
 *                           {"cases","passed","max_abs_error","max_rel_error"}; exit 0 only if all pass.
 */
import { readFileSync } from 'node:fs';
import { verifyVectors } from '../info';

const USAGE = 'usage: npm run deeper -- info verify <vectors.json>\n';

export async function run(argv: string[]): Promise<number> {
  const [sub, file] = argv;
  if (sub !== 'verify' || !file) {
    process.stderr.write(USAGE);
    return 2;
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    process.stderr.write(`file: cannot read ${file} as JSON: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const { results, summary } = verifyVectors(json);
  for (const r of results) {
    if (!r.passed) {
      const why = r.error ?? `max abs error ${r.maxAbs}, max rel error ${r.maxRel}`;
      process.stdout.write(`FAIL case ${r.index} (${r.fn}): ${why}\n`);
    }
  }
  // JSON has no Infinity: report non-finite errors as null
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  process.stdout.write(
    `${JSON.stringify({ ...summary, max_abs_error: finite(summary.max_abs_error), max_rel_error: finite(summary.max_rel_error) })}\n`,
  );
  return summary.passed === summary.cases ? 0 : 1;
}
