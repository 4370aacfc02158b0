import { bodyShapeProblem } from './body-shape-limits.js';

describe('bodyShapeProblem', () => {
  it('accepts flat DTO-sized bodies and scalars', () => {
    expect(bodyShapeProblem({ tag: 'a', enable_tracer: true, nested: { list: [1, 2] } })).toBeUndefined();
    expect(bodyShapeProblem(undefined)).toBeUndefined();
    expect(bodyShapeProblem('text')).toBeUndefined();
  });

  it('counts keys and array items together', () => {
    expect(bodyShapeProblem({ a: [1, 2, 3], b: 1 }, 5)).toBeUndefined();
    expect(bodyShapeProblem({ a: [1, 2, 3], b: 1, c: 1 }, 5)).toBe('too many entries');
  });

  it('walks a 100,000-deep nesting without recursion', () => {
    let deep: unknown = [];
    for (let level = 0; level < 100_000; level += 1) deep = [deep];
    expect(bodyShapeProblem({ tag: deep })).toBe('too deep');
    expect(bodyShapeProblem({ a: { b: { c: 1 } } }, 100, 3)).toBeUndefined();
    expect(bodyShapeProblem({ a: { b: { c: {} } } }, 100, 3)).toBe('too deep');
  });
});

describe('bodyShapeProblem and NUL characters', () => {
  it('finds a NUL in any value or key, however nested', () => {
    expect(bodyShapeProblem({ tag: 'a\u0000b' })).toBe('NUL byte');
    expect(bodyShapeProblem({ list: [{ deep: ['\u0000'] }] })).toBe('NUL byte');
    expect(bodyShapeProblem({ '\u0000': 1 })).toBe('NUL byte');
    expect(bodyShapeProblem({ tag: 'a\u0001b', other: '\\u0000' })).toBeUndefined();
  });
});
