/** A curve point without an estimate (NaN) is a gap, not a manifest the schema refuses (an imported model's run failed so). */
import { describe, expect, it } from 'vitest';
import { withFinitePoints } from '../../server/dashboards/build';
import { DashboardCurve } from '../../workers/contract';

describe('withFinitePoints', () => {
  it('drops non-finite points, then empty series and curves; the result passes the schema', () => {
    const curves = [
      { key: 'a', kind: 'depth', title: 'A', xLabel: 'x', yLabel: 'y', series: [
        { name: 's', x: [1, 2, 3], y: [0.5, NaN, 0.25], source: 'network', significant: [true, false, false] },
        { name: 'empty', x: [1, 2], y: [NaN, NaN], source: 'network' },
      ] },
      { key: 'b', kind: 'depth', title: 'B', xLabel: 'x', yLabel: 'y', series: [{ name: 'gone', x: [1], y: [NaN], source: 'network' }] },
    ] as DashboardCurve[];
    expect(curves.map((c) => DashboardCurve.safeParse(c).success)).toEqual([false, false]);
    const out = withFinitePoints(curves);
    expect(out).toHaveLength(1);
    expect(out[0]!.series).toEqual([{ name: 's', x: [1, 3], y: [0.5, 0.25], source: 'network', significant: [true, false] }]);
    expect(DashboardCurve.safeParse(out[0]).success).toBe(true);
  });
});
