/**
 * The region-hash scan in WebAssembly: for each picture, the smallest Hamming distance between
 * a 64-bit query and its windows' 64-bit hashes. WebAssembly has a one-instruction 64-bit
 * popcount (i64.popcnt), about five times faster than the bit-twiddling JavaScript needs; at
 * 100,000 pictures × 81 windows that is the difference between ~5 ms and ~30 ms per search.
 * It also does brute-force descriptor matching (nearest and second nearest of 256-bit
 * descriptors) for verification. The module is about 370 bytes, written out below with what each
 * part means.
 */

// (func (export "scan") (param $ptr i32) (param $n i32) (param $per i32) (param $q i64) (param $out i32)
//   (local $s i32) (local $w i32) (local $b i32) (local $d i32)
//   for s < n: b = 64; for w = per..1: d = popcnt(i64.load(ptr) ^ q); b = min(b, d); ptr += 8
//              out[s] = b)
// (memory (export "mem") 1)
const CODE = [
  0x01, 0x04, 0x7f, // 4 locals of type i32: s, w, b, d
  0x02, 0x40, // block
  0x20, 0x01, 0x45, 0x0d, 0x00, // if n == 0: break
  0x03, 0x40, // loop over pictures
  0x41, 0xc0, 0x00, 0x21, 0x07, // b = 64
  0x20, 0x02, 0x21, 0x06, // w = per
  0x03, 0x40, // loop over windows
  0x20, 0x00, 0x29, 0x03, 0x00, // i64.load ptr
  0x20, 0x03, 0x85, 0x7b, 0xa7, // ^ q, popcnt, wrap to i32
  0x22, 0x08, 0x20, 0x07, 0x49, // d = …; d < b ?
  0x04, 0x40, 0x20, 0x08, 0x21, 0x07, 0x0b, // if: b = d
  0x20, 0x00, 0x41, 0x08, 0x6a, 0x21, 0x00, // ptr += 8
  0x20, 0x06, 0x41, 0x01, 0x6b, 0x22, 0x06, 0x0d, 0x00, // w -= 1; continue while w != 0
  0x0b, // end windows
  0x20, 0x04, 0x20, 0x05, 0x6a, 0x20, 0x07, 0x3a, 0x00, 0x00, // out[s] = b
  0x20, 0x05, 0x41, 0x01, 0x6a, 0x22, 0x05, 0x20, 0x01, 0x49, 0x0d, 0x00, // s += 1; continue while s < n
  0x0b, // end pictures
  0x0b, // end block
  0x0b, // end function
];


// (func (export "match") (param $q i32) (param $nq i32) (param $t i32) (param $nt i32) (param $out i32)
//   for each query descriptor (32 bytes): its nearest train descriptor by Hamming distance, that
//   distance and the second smallest; out gets (index, best, second) as three i32 per query.
const MATCH = [
  0x02, 0x07, 0x7f, 0x04, 0x7e, // locals: i, j, best, second, bestIdx, d, tptr (i32); a0–a3 (i64)
  0x02, 0x40, // block
  0x20, 0x01, 0x45, 0x0d, 0x00, 0x20, 0x03, 0x45, 0x0d, 0x00, // nothing to match: break
  0x03, 0x40, // loop over query descriptors
  0x20, 0x00, 0x29, 0x03, 0x00, 0x21, 0x0c, // a0 = q[0..8)
  0x20, 0x00, 0x29, 0x03, 0x08, 0x21, 0x0d, // a1
  0x20, 0x00, 0x29, 0x03, 0x10, 0x21, 0x0e, // a2
  0x20, 0x00, 0x29, 0x03, 0x18, 0x21, 0x0f, // a3
  0x41, 0x81, 0x02, 0x21, 0x07, // best = 257
  0x41, 0x81, 0x02, 0x21, 0x08, // second = 257
  0x41, 0x7f, 0x21, 0x09, // bestIdx = -1
  0x41, 0x00, 0x21, 0x06, // j = 0
  0x20, 0x02, 0x21, 0x0b, // tptr = t
  0x03, 0x40, // loop over train descriptors
  0x20, 0x0b, 0x29, 0x03, 0x00, 0x20, 0x0c, 0x85, 0x7b, // popcnt(t0 ^ a0)
  0x20, 0x0b, 0x29, 0x03, 0x08, 0x20, 0x0d, 0x85, 0x7b, 0x7c, // + popcnt(t1 ^ a1)
  0x20, 0x0b, 0x29, 0x03, 0x10, 0x20, 0x0e, 0x85, 0x7b, 0x7c, // + popcnt(t2 ^ a2)
  0x20, 0x0b, 0x29, 0x03, 0x18, 0x20, 0x0f, 0x85, 0x7b, 0x7c, // + popcnt(t3 ^ a3)
  0xa7, 0x22, 0x0a, 0x20, 0x08, 0x49, // d = …; d < second ?
  0x04, 0x40, // if
  0x20, 0x0a, 0x20, 0x07, 0x49, // d < best ?
  0x04, 0x40, 0x20, 0x07, 0x21, 0x08, 0x20, 0x0a, 0x21, 0x07, 0x20, 0x06, 0x21, 0x09, // second = best; best = d; bestIdx = j
  0x05, 0x20, 0x0a, 0x21, 0x08, 0x0b, // else second = d
  0x0b, // end if
  0x20, 0x0b, 0x41, 0x20, 0x6a, 0x21, 0x0b, // tptr += 32
  0x20, 0x06, 0x41, 0x01, 0x6a, 0x22, 0x06, 0x20, 0x03, 0x49, 0x0d, 0x00, // j += 1; continue while j < nt
  0x0b, // end train loop
  0x20, 0x04, 0x20, 0x09, 0x36, 0x02, 0x00, // out[0] = bestIdx
  0x20, 0x04, 0x20, 0x07, 0x36, 0x02, 0x04, // out[1] = best
  0x20, 0x04, 0x20, 0x08, 0x36, 0x02, 0x08, // out[2] = second
  0x20, 0x04, 0x41, 0x0c, 0x6a, 0x21, 0x04, // out += 12
  0x20, 0x00, 0x41, 0x20, 0x6a, 0x21, 0x00, // q += 32
  0x20, 0x05, 0x41, 0x01, 0x6a, 0x22, 0x05, 0x20, 0x01, 0x49, 0x0d, 0x00, // i += 1; continue while i < nq
  0x0b, // end query loop
  0x0b, // end block
  0x0b, // end function
];

const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}
const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];

const BYTES = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  // types: 0 = (i32 i32 i32 i64 i32) → (), 1 = (i32 i32 i32 i32 i32) → ()
  ...section(1, [0x02, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7e, 0x7f, 0x00, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]),
  ...section(3, [0x02, 0x00, 0x01]), // two functions: scan (type 0), match (type 1)
  ...section(5, [0x01, 0x00, 0x01]), // one memory, at least 1 page
  ...section(7, [0x03, ...name('scan'), 0x00, 0x00, ...name('match'), 0x00, 0x01, ...name('mem'), 0x02, 0x00]), // exports
  ...section(10, [0x02, ...leb(CODE.length), ...CODE, ...leb(MATCH.length), ...MATCH]), // code
]);

/** The small part of the WebAssembly API used here (not in this project's TypeScript libs). */
interface WasmMemory { buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | null = null;

const PAGE = 65536;

/** Region hashes of many pictures in WebAssembly memory, and the scan over them. */
export class RegionStore {
  /** 64-bit words (two 32-bit halves) per picture. */
  readonly per: number;
  private capacity = 0;
  private memory!: WasmMemory;
  private scanFn!: (ptr: number, n: number, per: number, q: bigint, out: number) => void;

  constructor(per: number, capacity = 1024) {
    this.per = per;
    this.reserve(capacity);
  }

  /** Room for at least `capacity` pictures (the contents are kept). */
  reserve(capacity: number): void {
    if (capacity <= this.capacity) return;
    const cap = Math.max(capacity, this.capacity * 2);
    const bytes = cap * (this.per * 8 + 1);
    compiled ??= new wasm.Module(BYTES);
    // The module defines its own memory: a fresh instance, grown to the size needed.
    const inst = new wasm.Instance(compiled, {});
    const mem = inst.exports.mem as WasmMemory;
    const have = mem.buffer.byteLength;
    if (bytes > have) mem.grow(Math.ceil((bytes - have) / PAGE));
    if (this.capacity) new Uint8Array(mem.buffer).set(new Uint8Array(this.memory.buffer, 0, this.capacity * this.per * 8));
    this.memory = mem;
    this.scanFn = inst.exports.scan as typeof this.scanFn;
    this.capacity = cap;
  }

  /** The hashes of picture `slot`, as 32-bit words (2 per hash). */
  words(slot: number): Uint32Array {
    return new Uint32Array(this.memory.buffer, slot * this.per * 8, this.per * 2);
  }

  /** For pictures 0…n−1, the smallest distance of `query` (2 words) to one of their hashes. */
  scan(query: Uint32Array, n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const outAt = this.capacity * this.per * 8;
    const q = BigInt(query[0]!) | (BigInt(query[1]!) << 32n);
    this.scanFn(0, n, this.per, BigInt.asIntN(64, q), outAt);
    return new Uint8Array(this.memory.buffer, outAt, n).slice();
  }
}

/** Nearest and second-nearest neighbours of 256-bit descriptors (8 words each), in WebAssembly. */
export class DescriptorMatcher {
  private memory: WasmMemory;
  private matchFn: (q: number, nq: number, t: number, nt: number, out: number) => void;

  constructor() {
    compiled ??= new wasm.Module(BYTES);
    const inst = new wasm.Instance(compiled, {});
    this.memory = inst.exports.mem as WasmMemory;
    this.matchFn = inst.exports.match as typeof this.matchFn;
  }

  /** For each query descriptor: [nearest train index (−1 when none), its distance, second distance]. */
  match(query: Uint32Array, nq: number, train: Uint32Array, nt: number): Int32Array {
    const need = (nq + nt) * 32 + nq * 12;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / PAGE));
    const words = new Uint32Array(this.memory.buffer);
    words.set(query.subarray(0, nq * 8), 0);
    words.set(train.subarray(0, nt * 8), nq * 8);
    const outAt = (nq + nt) * 32;
    this.matchFn(0, nq, nq * 32, nt, outAt);
    return new Int32Array(this.memory.buffer, outAt, nq * 3).slice();
  }
}
