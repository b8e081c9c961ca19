import { expect, test } from "bun:test";
import fc from "fast-check";
import { findDuplicateKey } from "../../src/registry/duplicate-keys.ts";

test("a name repeated in one object is found", () => {
  expect(findDuplicateKey('{"a":1,"b":2,"a":3}')).toBe("a");
});

test("the same name in different objects, or as a value, is no duplicate", () => {
  expect(findDuplicateKey('{"a":{"a":1},"b":[{"a":1},{"a":2}],"c":"a"}')).toBeNull();
  expect(findDuplicateKey('["a","a",{"x":"a"}]')).toBeNull();
});

test("a repeat deep inside arrays and objects is found", () => {
  expect(findDuplicateKey('{"layers":[{"size":1},{"size":2,"size":3}]}')).toBe("size");
});

test("names are compared unescaped, and escaped quotes do not end a string", () => {
  expect(findDuplicateKey('{"a":1,"\\u0061":2}')).toBe("a");
  expect(findDuplicateKey('{"q\\"":1,"q\\\\":2}')).toBeNull();
  expect(findDuplicateKey('{"q\\"" : 1, "x":"\\"," , "q\\"":2}')).toBe('q"');
});

test("whitespace between a name and its colon is allowed", () => {
  expect(findDuplicateKey('{ "a" \n: 1, "a"\t:2 }')).toBe("a");
});

test("scalars and empty containers have no names", () => {
  for (const text of ["1", '"a"', "null", "{}", "[]", "[[],{}]"]) {
    expect(findDuplicateKey(text)).toBeNull();
  }
});

test("property: JSON.stringify output has no duplicate; adding one back is found", () => {
  const text = fc.string({ unit: "binary", maxLength: 6 });
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 3, stringUnit: "binary" }), (value) => {
      expect(findDuplicateKey(JSON.stringify(value))).toBeNull();
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(
      fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { minKeys: 1 }),
      fc.nat(),
      (object, pick) => {
        const keys = Object.keys(object);
        const repeated = keys[pick % keys.length] as string;
        const json = JSON.stringify(object);
        const withRepeat = `${json.slice(0, -1)},${JSON.stringify(repeated)}:null}`;
        expect(findDuplicateKey(withRepeat)).toBe(repeated);
      },
    ),
    { numRuns: 300 },
  );
});
