/**
 * Command-line options for the `analyse` and `nn` commands, parsed by node:util parseArgs (strict:
 * every option is declared; an unknown one is an error naming it). `--name value` and `--name=value`
 * set a value option, `--flag` sets a flag. A value may start with '-' when it is a number
 * (`--yaw -20`), as the hand-made parser allowed. Options come back as a Map for num/str/choice,
 * which check ranges and name the option in their errors.
 */
import { parseArgs } from 'node:util';

export type Opts = Map<string, string | true>;

export interface OptionSpec {
  /** Options that take a value. */
  values: readonly string[];
  /** Options that take none (present or absent). */
  flags: readonly string[];
}

/** Parses argv (after the subcommand) against `spec`; throws an Error naming the offending argument. */
export function parseOptions(argv: string[], spec: OptionSpec): Opts {
  const takesValue = new Set(spec.values);
  // `--name -20`: a negative number is the option's value (parseArgs would call it ambiguous)
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], next = argv[i + 1];
    if (a.startsWith('--') && !a.includes('=') && takesValue.has(a.slice(2)) && next !== undefined && /^-\.?\d/.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const name of spec.values) options[name] = { type: 'string' };
  for (const name of spec.flags) options[name] = { type: 'boolean' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    const name = /'(--[^' ]+)/.exec(err.message)?.[1];
    if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && name && takesValue.has(name.slice(2))) throw new Error(`${name} <value> is required`);
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && name) throw new Error(`unknown option ${name} (known: ${[...spec.values, ...spec.flags].map((n) => `--${n}`).join(' ')})`);
    if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && name) throw new Error(`${name} takes no value`);
    throw err;
  }
  if (parsed.positionals.length > 0) throw new Error(`unexpected argument '${parsed.positionals[0]}'`);
  const m: Opts = new Map();
  for (const [name, v] of Object.entries(parsed.values)) {
    if (v === true) m.set(name, true);
    else if (typeof v === 'string') m.set(name, v);
  }
  return m;
}

export function num(o: Opts, name: string, fallback: number, min: number, max: number, integer = false): number {
  const v = o.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got '${String(v)}'`);
  }
  return n;
}

export function str(o: Opts, name: string): string {
  const v = o.get(name);
  if (typeof v !== 'string') throw new Error(`--${name} <value> is required`);
  return v;
}

export function choice<T extends string>(o: Opts, name: string, allowed: readonly T[], fallback: T): T {
  const v = o.get(name);
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw new Error(`--${name} must be one of ${allowed.join(', ')}, got '${String(v)}'`);
  return v as T;
}
