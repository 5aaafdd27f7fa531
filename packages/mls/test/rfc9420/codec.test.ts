import assert from "node:assert/strict";
import { test } from "node:test";
import { testRandom } from "@parley/testkit";
import { ParleyMlsError } from "../../src/errors.js";
import { CodecError, decodeAll, encodeWith, Reader, Writer } from "../../src/rfc9420/codec/index.js";
import { family, hex, toHex } from "../vectors/files.js";

const refused = (code: string, field: string) => (err: unknown) =>
  err instanceof CodecError && err instanceof ParleyMlsError && err.code === code && err.field === field;

test("integers read big-endian and write back", () => {
  const bytes = hex("01" + "0203" + "04050607" + "08090a0b0c0d0e0f");
  const r = new Reader(bytes);
  assert.equal(r.uint8("a"), 1);
  assert.equal(r.uint16("b"), 0x0203);
  assert.equal(r.uint32("c"), 0x04050607);
  assert.equal(r.uint64("d"), 0x08090a0b0c0d0e0fn);
  r.finish("all");
  const w = new Writer(1);
  w.uint8(1);
  w.uint16(0x0203);
  w.uint32(0x04050607);
  w.uint64(0x08090a0b0c0d0e0fn);
  assert.equal(toHex(w.finish()), toHex(bytes));
  assert.equal(new Reader(hex("ffffffff")).uint32("max"), 0xffffffff);
});

test("variable-length integers: minimal forms round-trip, others are refused", () => {
  for (const [value, encoding] of [
    [0, "00"],
    [63, "3f"],
    [64, "4040"],
    [16383, "7fff"],
    [16384, "80004000"],
    [2 ** 30 - 1, "bfffffff"],
  ] as const) {
    assert.equal(new Reader(hex(encoding)).varint("v"), value);
    assert.equal(toHex(encodeWith(value, (w, v) => w.varint(v))), encoding);
  }
  for (const bad of ["4000", "403f", "80000000", "80003fff"]) {
    assert.throws(() => new Reader(hex(bad)).varint("len"), refused("malformed", "len"), bad);
  }
  assert.throws(() => new Reader(hex("c000000000000000")).varint("len"), refused("malformed", "len"));
  assert.throws(() => new Reader(hex("40")).varint("len"), refused("truncated", "len"));
  assert.throws(() => encodeWith(2 ** 30, (w, v) => w.varint(v, "big")), refused("malformed", "big"));
});

interface Deserialization {
  vlbytes_header: string;
  length: number;
}

const deserialization = family<Deserialization>("deserialization", "deserialization.json", (v) => {
  const header = hex(v.vlbytes_header);
  const input = new Uint8Array(header.length + v.length);
  input.set(header);
  const body = decodeAll(input, (r) => r.opaque("data"), "data");
  assert.equal(body.length, v.length);
  assert.equal(body.buffer, input.buffer, "a view, not a copy");
  // Re-encoding the largest (a gigabyte) would only double the memory: the header is what is under test.
  const sample = body.subarray(0, Math.min(body.length, 1 << 20));
  const again = encodeWith(sample, (w, b) => w.opaque(b));
  if (sample.length === body.length) assert.ok(Buffer.from(again).equals(input), "re-encodes byte for byte");
  else assert.deepEqual(decodeAll(again, (r) => r.opaque("data"), "data").length, sample.length);
});

test(deserialization.title, deserialization.run);

test("a length beyond the input is truncation, found before anything is allocated", () => {
  assert.throws(() => new Reader(hex("bfffffff00")).opaque("cert"), refused("truncated", "cert"));
  assert.throws(
    () => new Reader(hex("bfffffff")).vector("items", (r) => r.uint8("x")),
    refused("truncated", "items"),
  );
});

test("vector items cannot read past their vector, and must fill it exactly", () => {
  const two = hex("04" + "0001" + "0002" + "ff");
  const r = new Reader(two);
  assert.deepEqual(
    r.vector("v", (x) => x.uint16("i")),
    [1, 2],
  );
  assert.equal(r.uint8("after"), 0xff);
  // An item running past its vector's length is a wrong length, not a short input.
  assert.throws(
    () => new Reader(hex("03000100020000")).vector("v", (x) => x.uint16("i")),
    refused("malformed", "i"),
  );
  assert.throws(() => new Reader(hex("0201ff")).nested("n", (x) => x.uint8("i")), refused("malformed", "n"));
  assert.throws(() => decodeAll(hex("0000"), (x) => x.uint8("i"), "whole"), refused("malformed", "whole"));
  // An item that reads nothing is refused rather than looping forever.
  assert.throws(() => new Reader(hex("0200ff")).vector("v", () => 0), refused("malformed", "v"));
});

test("optional takes presence 0 or 1 only", () => {
  assert.equal(
    new Reader(hex("00")).optional("o", (r) => r.uint8("x")),
    undefined,
  );
  assert.equal(
    new Reader(hex("0107")).optional("o", (r) => r.uint8("x")),
    7,
  );
  assert.throws(() => new Reader(hex("0207")).optional("o", (r) => r.uint8("x")), refused("malformed", "o"));
});

test("error messages name field and offset, never the bytes", () => {
  try {
    new Reader(hex("05deadbeef")).opaque("secret");
    assert.fail("should throw");
  } catch (err) {
    assert.ok(err instanceof CodecError);
    assert.equal(err.offset, 1);
    assert.match(err.message, /^secret at offset 1: /);
    assert.doesNotMatch(err.message, /dead|beef/i);
  }
});

type Tree = number | Tree[];

function randomTree(random: ReturnType<typeof testRandom>, depth: number): Tree[] {
  const n = random.int(depth === 0 ? 3 : 6);
  return Array.from({ length: n }, () =>
    depth < 4 && random.chance(0.4) ? randomTree(random, depth + 1) : random.int(256),
  );
}

/** The obvious encoding, built bottom-up by concatenation: what `nested`'s gap closing must reproduce. */
function naive(tree: Tree[]): number[] {
  const body = tree.flatMap((t) => (typeof t === "number" ? [0, t] : [1, ...naive(t)]));
  const n = body.length;
  const length =
    n < 64
      ? [n]
      : n < 16384
        ? [0x40 | (n >> 8), n & 0xff]
        : [0x80 | (n >>> 24), (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  return [...length, ...body];
}

function write(w: Writer, tree: Tree[]): void {
  w.vector(tree, (x, t) => {
    if (typeof t === "number") {
      x.uint8(0);
      x.uint8(t);
    } else {
      x.uint8(1);
      write(x, t);
    }
  });
}

function read(r: Reader): Tree[] {
  return r.vector("t", (x) => (x.uint8("tag") === 0 ? x.uint8("leaf") : read(x)));
}

test("nested lengths patched in place equal the concatenated encoding, at every length form", (t) => {
  const random = testRandom(t);
  const big = new Uint8Array(20000).fill(7);
  for (let i = 0; i < 300; i++) {
    const tree = randomTree(random, 0);
    const bytes = encodeWith(tree, write);
    assert.deepEqual([...bytes], naive(tree));
    assert.deepEqual(decodeAll(bytes, read, "tree"), tree);
  }
  // Lengths needing the 2- and 4-byte forms, nested inside each other and beside short ones.
  const w = new Writer(8);
  w.nested((a) => {
    a.opaque(big.subarray(0, 100));
    a.nested((b) => b.opaque(big));
    a.vector([1, 2], (c, v) => c.uint8(v));
  });
  const out = w.finish();
  const r = new Reader(out);
  r.nested("outer", (a) => {
    assert.equal(a.opaque("short").length, 100);
    assert.equal(a.nested("inner", (b) => b.opaque("big")).length, 20000);
    assert.deepEqual(
      a.vector("v", (c) => c.uint8("i")),
      [1, 2],
    );
  });
  r.finish("all");
  assert.equal(out.length, 4 + 2 + 100 + 4 + 4 + 20000 + 1 + 2);
});
