/**
 * TEMPORARY STAND-IN FOR THE SWEEP ENGINE (issue 10) — see adapter.ts. Expands a spec's axes into points.
 * Delete with adapter.ts once `sweep(spec)` from @linkcap/core runs the study's specs.
 */
import type { AxisValue, TrainingSweepSpec } from '../plan/spec.js';

export type Point = Record<string, AxisValue>;

/** Every point of the spec's axes (first axis outermost), less the `oneAtATime` and `exclude` cuts. */
export function expandPoints(spec: TrainingSweepSpec): Point[] {
  const names = Object.keys(spec.axes);
  let points: Point[] = [{}];
  for (const name of names) {
    const next: Point[] = [];
    for (const point of points) for (const value of spec.axes[name]) next.push({ ...point, [name]: value });
    points = next;
  }
  const varied = spec.oneAtATime ?? [];
  const exclude = spec.exclude ?? [];
  return points.filter((point) => {
    const departures = varied.filter((axis) => point[axis] !== spec.axes[axis][0]).length;
    if (departures > 1) return false;
    return !exclude.some((rule) => Object.entries(rule).every(([axis, value]) => point[axis] === value));
  });
}

/** The key of a point without one axis: points sharing it form a group of a paired ratio. */
export function groupKey(point: Point, without: string | undefined): string {
  return JSON.stringify(Object.entries(point).filter(([axis]) => axis !== without));
}
