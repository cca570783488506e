/** workers/cli/options.ts: node:util parseArgs with the hand-made parser's conventions and errors. */
import { describe, expect, it } from 'vitest';
import { choice, num, parseOptions, str } from '../../workers/cli/options';

const SPEC = { values: ['model', 'yaw', 'trials', 'basis'], flags: ['tfce'] } as const;

describe('parseOptions', () => {
  it('reads --name value, --name=value and flags', () => {
    const o = parseOptions(['--model', 'ict', '--trials=200', '--tfce'], SPEC);
    expect([...o.entries()]).toEqual([['model', 'ict'], ['trials', '200'], ['tfce', true]]);
    expect(num(o, 'trials', 0, 20, 20_000, true)).toBe(200);
    expect(str(o, 'model')).toBe('ict');
    expect(o.has('basis')).toBe(false);
  });
  it('takes a negative number as a value (--yaw -20)', () => {
    const o = parseOptions(['--yaw', '-20', '--model', 'ict'], SPEC);
    expect(num(o, 'yaw', 0, -90, 90)).toBe(-20);
    expect(parseOptions(['--yaw', '-.5'], SPEC).get('yaw')).toBe('-.5');
  });
  it('names the option in every error', () => {
    expect(() => parseOptions(['--model'], SPEC)).toThrow(/^--model <value> is required$/);
    expect(() => parseOptions(['--model', '--tfce'], SPEC)).toThrow(/^--model <value> is required$/);
    expect(() => parseOptions(['--modle', 'ict'], SPEC)).toThrow(/^unknown option --modle \(known: --model --yaw --trials --basis --tfce\)$/);
    expect(() => parseOptions(['--tfce=yes'], SPEC)).toThrow(/^--tfce takes no value$/);
    expect(() => parseOptions(['ict'], SPEC)).toThrow(/^unexpected argument 'ict'$/);
    const o = parseOptions(['--trials', '5', '--basis', 'pixels'], SPEC);
    expect(() => num(o, 'trials', 0, 20, 20_000, true)).toThrow("--trials must be an integer in [20, 20000], got '5'");
    expect(() => choice(o, 'basis', ['vertex', 'bubbles'], 'vertex')).toThrow("--basis must be one of vertex, bubbles, got 'pixels'");
  });
});
