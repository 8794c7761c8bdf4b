import { definedFields } from './defined-fields';

describe('definedFields', () => {
  it('drops the fields set to undefined and keeps null, false, 0 and empty strings, in order', () => {
    const copy = definedFields({
      a: 1,
      gone: undefined,
      b: null,
      c: false,
      d: 0,
      e: '',
    });
    expect(copy).toEqual({ a: 1, b: null, c: false, d: 0, e: '' });
    expect(Object.keys(copy)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect('gone' in copy).toBe(false);
  });

  it('keeps a "__proto__" field as a field, not as the copy’s prototype', () => {
    const original = JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as object;
    const copy = definedFields(original);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'y']);
    expect((copy as { x?: unknown }).x).toBeUndefined();
  });
});
