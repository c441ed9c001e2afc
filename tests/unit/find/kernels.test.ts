import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dctHash256, dctLowFreq, dihedralGrid, hamming, HASH_GRID, phash64, popcount32 } from '../../../electron/core/dsp/phash.ts';
import { apply, chain, compose, invert, isMirrored, mirrorX, scaleOfAffine, scaling, translation, type Affine } from '../../../electron/core/dsp/affine.ts';
import { resampleBox } from '../../../electron/core/dsp/resample.ts';
import { lshKey, lshLayout } from '../../../electron/core/dsp/lsh.ts';
import { compareAligned } from '../../../electron/core/dsp/alignment.ts';
import { analyseAligned } from '../../../electron/core/dsp/colourfit.ts';
import { mulberry32 } from '../../../electron/core/dsp/ransac.ts';
import { mainBlock, trimUniformBorder } from '../../../electron/core/dsp/trim.ts';
import { stretchContrast } from '../../../electron/core/similarity/orb.ts';
import { decodeFingerprint, encodeFingerprint, type StoredFingerprint } from '../../../electron/core/similarity/codec.ts';
import { FingerprintIndex } from '../../../electron/core/similarity/search-index.ts';
import { matchDescriptors } from '../../../electron/core/similarity/kernels.ts';
import { referenceMatches } from '../../helpers/descriptor-reference.ts';
import { RegionStore } from '../../../electron/core/similarity/popscan.ts';
import { REGION_COUNT, REGION_SIDE, windowBox, windowHashes, wholeHash } from '../../../electron/core/similarity/regions.ts';
import { MATCH_THRESHOLD, scoreOf } from '../../../electron/core/similarity/score.ts';
import { describeMap } from '../../../electron/core/similarity/geometry.ts';
import { describeChanges, describeMatch } from '../../../electron/core/similarity/summary.ts';
import type { FindMatch, FindTransform } from '../../../electron/contract/index.ts';

const rand = mulberry32(42);
const words = (n: number) => Uint32Array.from({ length: n }, () => (rand() * 2 ** 32) >>> 0);

describe('DCT hashes', () => {
  it('low-frequency DCT equals the textbook double sum', () => {
    const n = 8;
    const grid = Float64Array.from({ length: n * n }, () => rand() * 255);
    const got = dctLowFreq(grid, n, 4);
    for (let v = 0; v < 4; v++) {
      for (let u = 0; u < 4; u++) {
        let s = 0;
        for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) s += grid[y * n + x]! * Math.cos(((2 * x + 1) * u * Math.PI) / (2 * n)) * Math.cos(((2 * y + 1) * v * Math.PI) / (2 * n));
        assert.ok(Math.abs(got[v * 4 + u]! - s) < 1e-6, `coefficient (${v},${u}): ${got[v * 4 + u]} vs ${s}`);
      }
    }
  });

  it('a horizontal ramp has its energy in the first horizontal frequency', () => {
    const grid = Float64Array.from({ length: 64 }, (_, i) => (i % 8) * 10);
    const c = dctLowFreq(grid, 8, 3);
    assert.ok(Math.abs(c[1]!) > 100 && Math.abs(c[3]!) < 1e-9, 'u=1 large, v=1 zero');
  });

  it('hashes survive brightness changes and noise, and differ for different pictures', () => {
    const n = HASH_GRID;
    // A picture-like grid: random mix of low spatial frequencies.
    const waves = Array.from({ length: 40 }, () => ({ fx: rand() * 0.5, fy: rand() * 0.5, p: rand() * 6.3, a: 10 + rand() * 20 }));
    const a = Float64Array.from({ length: n * n }, (_, i) => 128 + waves.reduce((s, w) => s + w.a * Math.cos(w.fx * (i % n) + w.fy * Math.floor(i / n) + w.p), 0));
    const brighter = a.map((v) => v * 1.2 + 10);
    const noisy = a.map((v) => v + (rand() - 0.5) * 6);
    const other = Float64Array.from({ length: n * n }, () => rand() * 255);
    assert.equal(hamming(dctHash256(a), 0, dctHash256(brighter), 0, 8), 0);
    assert.ok(hamming(dctHash256(a), 0, dctHash256(noisy), 0, 8) < 40);
    assert.ok(hamming(dctHash256(a), 0, dctHash256(other), 0, 8) > 80);
    assert.equal(phash64(a).length, 2);
    assert.equal(hamming(phash64(a), 0, phash64(brighter), 0, 2), 0);
  });

  it('dihedral variants: four quarter turns and two mirrors give the grid back', () => {
    const n = 4;
    const g = Float64Array.from({ length: 16 }, (_, i) => i);
    const rot = dihedralGrid(g, n, 1);
    assert.notDeepEqual([...rot], [...g]);
    assert.deepEqual([...dihedralGrid(dihedralGrid(g, n, 4), n, 4)], [...g]);
    assert.equal(popcount32(0xffffffff), 32);
    assert.equal(popcount32(0b1011), 3);
  });
});

describe('affine maps', () => {
  it('compose, chain and invert agree with applying maps one by one', () => {
    const a: Affine = [0.8, -0.3, 12, 0.3, 0.8, -4];
    const b = translation(5, 7);
    const p = apply(compose(b, a), 3, 9);
    const q = apply(b, ...apply(a, 3, 9));
    assert.ok(Math.abs(p[0] - q[0]) < 1e-9 && Math.abs(p[1] - q[1]) < 1e-9);
    const back = apply(chain(a, invert(a)), 3, 9);
    assert.ok(Math.abs(back[0] - 3) < 1e-9 && Math.abs(back[1] - 9) < 1e-9);
    assert.ok(Math.abs(scaleOfAffine(scaling(0.4)) - 0.4) < 1e-12);
    assert.ok(isMirrored(mirrorX(100)) && !isMirrored(a));
    assert.throws(() => invert([0, 0, 0, 0, 0, 0]), /cannot be inverted/);
  });

  it('describeMap reads scale, crop and mirror off a map', () => {
    // Original 1000×800; suspect = centre 600×480 crop, mirrored, shown at 50%.
    const map = chain(translation(-200, -160), mirrorX(600), scaling(0.5));
    const g = describeMap(map, { width: 1000, height: 800 }, { width: 300, height: 240 });
    assert.ok(g.flip);
    assert.ok(Math.abs(g.scale - 0.5) < 1e-9);
    assert.ok(Math.abs(Math.sqrt(g.cropShare) - 0.6) < 0.01, `crop side ${Math.sqrt(g.cropShare)}`);
    assert.ok(Math.abs(g.rotation) < 0.5);
    assert.ok(!g.padded);
  });
});

describe('resampling and alignment', () => {
  it('area resample averages exactly', () => {
    const src = Uint8Array.from([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150]);
    const out = resampleBox(src, 4, { x: 0, y: 0, width: 4, height: 4 }, 2, 2);
    assert.deepEqual([...out], [25, 45, 105, 125]);
  });

  it('compareAligned: a brightness change agrees, another picture does not', () => {
    const w = 32, h = 32;
    const a = Uint8Array.from({ length: w * h }, (_, i) => 60 + ((i * 37) % 120));
    const b = a.map((v) => Math.min(255, Math.round(v * 1.2 + 5)));
    const same = compareAligned(a, w, h, b, w, h, [1, 0, 0, 0, 1, 0]);
    assert.ok(same.correlation > 0.99 && same.agreeing > 0.95 && Math.abs(same.gain - 1.2) < 0.05);
    const c = Uint8Array.from({ length: w * h }, () => Math.floor(rand() * 256));
    assert.ok(compareAligned(a, w, h, c, w, h, [1, 0, 0, 0, 1, 0]).correlation < 0.3);
  });

  it('colour fit: brightening is explained, a solid patch on top is found', () => {
    const w = 64, h = 64;
    const orig = new Float32Array(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      orig[i * 3] = 40 + (i % 64) * 2;
      orig[i * 3 + 1] = 60 + Math.floor(i / 64) * 2;
      orig[i * 3 + 2] = 90 + ((i * 7) % 50);
    }
    const sus = new Uint8Array(w * h * 3);
    for (let i = 0; i < orig.length; i++) sus[i] = Math.min(255, Math.round(orig[i]! * 1.25));
    for (let y = 40; y < 52; y++) for (let x = 8; x < 40; x++) for (let c = 0; c < 3; c++) sus[(y * w + x) * 3 + c] = c === 0 ? 230 : 20;
    const { colour, marks } = analyseAligned(orig, sus, new Uint8Array(w * h).fill(1), w, h);
    assert.ok(colour.brightness > 1.15 && colour.brightness < 1.35, `brightness ${colour.brightness}`);
    assert.ok(!colour.greyscale);
    assert.ok(marks.share > 0.05 && marks.box !== null, `marks ${marks.share}`);
    assert.ok(marks.box!.y >= 34 && marks.box!.y + marks.box!.height <= 58);
  });
});

describe('borders and contrast', () => {
  it('a scaled-down copy on a white square with a price tag in a corner is cut down to the copy', () => {
    const side = 200;
    const luma = new Uint8Array(side * side).fill(255);
    // The copy: a textured 120×90 block at (40, 60); the tag: a dark 50×20 block at (140, 8).
    for (let y = 60; y < 150; y++) for (let x = 40; x < 160; x++) luma[y * side + x] = 40 + ((x * 7 + y * 13) % 150);
    for (let y = 8; y < 28; y++) for (let x = 140; x < 190; x++) luma[y * side + x] = 30;
    const trimmed = trimUniformBorder(luma, side, side);
    assert.deepEqual(trimmed, { x: 40, y: 8, width: 150, height: 142 });
    assert.deepEqual(mainBlock(luma, side, side, trimmed), { x: 40, y: 60, width: 120, height: 90 });
  });

  it('two objects of similar size are both kept', () => {
    const side = 200;
    const luma = new Uint8Array(side * side).fill(255);
    for (let y = 20; y < 90; y++) for (let x = 20; x < 180; x++) luma[y * side + x] = 60;
    for (let y = 110; y < 180; y++) for (let x = 20; x < 180; x++) luma[y * side + x] = 90;
    const trimmed = trimUniformBorder(luma, side, side);
    assert.deepEqual(mainBlock(luma, side, side, trimmed), trimmed);
  });

  it('contrast stretch maps the 0.5–99.5% range to 0–255, the same for a dimmer copy', () => {
    const a = Uint8Array.from({ length: 10_000 }, (_, i) => 50 + (i % 101));
    const dim = a.map((v) => Math.round(v * 0.7 + 20));
    const sa = stretchContrast(a);
    const sd = stretchContrast(dim);
    assert.equal(Math.min(...sa), 0);
    assert.equal(Math.max(...sa), 255);
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(sa[i]! - sd[i]!));
    assert.ok(diff <= 6, `largest difference ${diff}`);
  });
});

describe('index and codec', () => {
  it('LSH keys are stable and near descriptors usually share them', () => {
    const layout = lshLayout(2, 20);
    assert.deepEqual([...lshLayout(2, 20).positions[0]!], [...layout.positions[0]!]);
    const d = words(8);
    const near = d.slice();
    near[3] = (near[3]! ^ (1 << 5)) >>> 0;
    const hits = [0, 1].filter((t) => lshKey(layout, d, 0, t) === lshKey(layout, near, 0, t)).length;
    assert.ok(hits >= 1, 'one flipped bit keeps at least one table key');
  });

  it('a fingerprint goes through the SQLite blob form unchanged', () => {
    const n = 7;
    const fp: StoredFingerprint = {
      version: 1, width: 800, height: 600, decodedWidth: 800, decodedHeight: 600, trim: { x: 1, y: 2, width: 790, height: 590 },
      workWidth: 640, workHeight: 478, hash: words(8), phash64: words(2), variants: words(64), thumb: Uint8Array.from({ length: 13 }, (_, i) => i),
      thumbWidth: 128, thumbHeight: 96, regions: words(162), whole: words(2),
      keypoints: { n, x: Float32Array.from({ length: n }, () => rand()), y: Float32Array.from({ length: n }, () => rand()), angle: Float32Array.from({ length: n }, () => rand() * 360), octave: Uint8Array.from({ length: n }, (_, i) => i % 3), desc: words(n * 8) },
    };
    // Through a Node Buffer view at an odd offset, as SQLite hands it back.
    const blob = encodeFingerprint(fp);
    const pool = Buffer.alloc(blob.length + 3);
    blob.copy(pool, 3);
    const back = decodeFingerprint(pool.subarray(3));
    assert.deepEqual(back, fp);
  });

  it('index: the same hash is found at distance 0, keypoint votes find a picture by its descriptors, removal forgets', () => {
    const index = new FingerprintIndex();
    const pics = Array.from({ length: 300 }, (_, i) => ({ id: i + 1, hash: words(8), n: 64, angle: Float32Array.from({ length: 64 }, () => rand() * 360), desc: words(64 * 8) }));
    for (const p of pics) index.add(p);
    index.compact();
    const target = pics[123]!;
    const variants = new Uint32Array(64);
    variants.set(target.hash, 0);
    const none = { n: 0, angle: new Float32Array(0), desc: new Uint32Array(0) };
    const byHash = index.search({ variants, plain: none, mirrored: none }, { globalTop: 1 });
    assert.equal(byHash[0]?.id, target.id);
    assert.equal(byHash[0]?.distance, 0);
    // Rotated by 40°: the votes land in one relative-orientation bin.
    const plain = { n: 40, angle: target.angle.slice(0, 40).map((a) => (a + 40) % 360), desc: target.desc.slice(0, 40 * 8) };
    const byKeys = index.search({ variants: words(64), plain, mirrored: none }, { globalTop: 0, localTop: 3 });
    assert.equal(byKeys.sort((a, b) => b.votes - a.votes)[0]?.id, target.id);
    index.remove(target.id);
    assert.ok(!index.search({ variants, plain, mirrored: none }).some((h) => h.id === target.id));
    assert.equal(index.size, 299);
  });

  it('WebAssembly popcounts: descriptor matching and the region scan give the plain JavaScript answers', () => {
    const nq = 120, nt = 90;
    const q = words(nq * 8);
    const t = words(nt * 8);
    for (let i = 0; i < 30; i++) {
      t.set(q.subarray(i * 8, i * 8 + 8), i * 3 * 8);
      t[i * 3 * 8 + (i % 8)] = (t[i * 3 * 8 + (i % 8)]! ^ ((1 << (i % 32)) | 1)) >>> 0; // a bit or two off
    }
    for (const [ratio, maxDistance] of [[0.85, 72], [1, 256], [0.6, 40]] as const) {
      assert.deepEqual(matchDescriptors(q, nq, t, nt, ratio, maxDistance), referenceMatches(q, nq, t, nt, { ratio, maxDistance }));
    }
    assert.equal(matchDescriptors(q, nq, t, nt, 0.85, 72).length >= 30, true);
    const store = new RegionStore(5, 2);
    const all = words(7 * 5 * 2);
    for (let s = 0; s < 2; s++) store.words(s).set(all.subarray(s * 10, s * 10 + 10));
    store.reserve(70_000); // a larger memory: what was stored moves along
    for (let s = 2; s < 7; s++) store.words(s).set(all.subarray(s * 10, s * 10 + 10));
    const query = words(2);
    const want = Array.from({ length: 7 }, (_, s) => Math.min(...Array.from({ length: 5 }, (_, w) => hamming(query, 0, all, s * 10 + w * 2, 2))));
    assert.deepEqual([...store.scan(query, 7)], want);
  });

  it('region hashes: a 60% crop of a smooth picture finds its original and the window it came from', () => {
    // Smooth blobs (no corners to speak of) on a 128 px thumbnail, and a second smooth picture.
    const smooth = (seed: number, w: number, h: number) => {
      const r = mulberry32(seed);
      const blobs = Array.from({ length: 6 }, () => ({ x: r() * w, y: r() * h, s: 10 + r() * 30, a: 60 + r() * 120 }));
      return Uint8Array.from({ length: w * h }, (_, i) => {
        const x = i % w, y = Math.floor(i / w);
        return Math.min(255, 40 + blobs.reduce((v, b) => v + b.a * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.s * b.s)), 0));
      });
    };
    const w = 128, h = 96;
    const original = smooth(1, w, h);
    const other = smooth(2, w, h);
    // The crop keeps 60% of each side, 0.35 from the left and 0.05 from the top (window 7 + 9·1 = 16).
    const cw = Math.round(w * REGION_SIDE), ch = Math.round(h * REGION_SIDE);
    const cropBox = { x: Math.round(w * 0.35), y: Math.round(h * 0.05), width: cw, height: ch };
    const crop = Uint8Array.from(resampleBox(original, w, cropBox, cw, ch), (v) => Math.round(v));
    const index = new FingerprintIndex();
    const none = { n: 0, angle: new Float32Array(0), desc: new Uint32Array(0) };
    index.add({ id: 1, hash: words(8), ...none, regions: windowHashes(original, w, h) });
    index.add({ id: 2, hash: words(8), ...none, regions: windowHashes(other, w, h) });
    index.add({ id: 3, hash: words(8), ...none });
    const hits = index.search({ variants: words(64), whole: wholeHash(crop, cw, ch), plain: none, mirrored: none }, { globalTop: 0, regionTop: 3, maxRegion: 30 });
    const best = hits.sort((a, b) => a.region - b.region)[0]!;
    assert.equal(best.id, 1);
    assert.ok(best.region <= 6, `crop is ${best.region} bits from its window`);
    const box = windowBox(best.window);
    assert.ok(Math.abs(box.x - 0.35) < 0.06 && Math.abs(box.y - 0.05) < 0.06 && box.width === REGION_SIDE, `window ${JSON.stringify(box)}`);
    assert.equal(windowHashes(original, w, h).length, REGION_COUNT * 2);
    assert.ok(!hits.some((h) => h.id === 3), 'a picture without region hashes is never a region candidate');
  });
});

describe('score and words', () => {
  it('score is 0–100, rises with evidence, and the threshold separates the calibration points', () => {
    const far = scoreOf(128, null).score;
    const near = scoreOf(10, null).score;
    assert.ok(far < 1 && near > 99);
    const weak = scoreOf(128, { inliers: 6, correlation: 0.1, agreeing: 0.3 }).score;
    const strong = scoreOf(128, { inliers: 60, correlation: 0.9, agreeing: 0.9 }).score;
    assert.ok(weak < MATCH_THRESHOLD && strong >= MATCH_THRESHOLD);
    assert.ok(scoreOf(128, { inliers: 30, correlation: 0.9, agreeing: 0.9 }).score > scoreOf(128, { inliers: 30, correlation: 0, agreeing: 0.1 }).score);
  });

  it('describes a transform and a verdict in one sentence', () => {
    const t: FindTransform = {
      scale: 0.4, cropBox: { x: 0, y: 0, width: 70, height: 70 }, cropShare: 0.49, flip: false, rotation: 0, regionInSuspect: [], padded: false,
      colour: { brightness: 1.3, contrast: 1, saturation: 1, greyscale: false }, overlay: true, overlayShare: 0.1, overlayBox: null, method: 'keypoints',
    };
    assert.deepEqual(describeChanges(t), ['cropped to 70%', 'scaled to 40%', 'brightened', 'with something put on top (text, a logo or a tag)']);
    const m = { id: 123, sha256: 'x', title: 'Red teapot, front', importedAt: '2026-03-02T10:00:00Z', width: 100, height: 100, score: 96.4, isMatch: true, transform: t, evidence: { globalDistance: 0, inliers: 0, correlation: 0, votes: 0 } } satisfies FindMatch;
    assert.equal(describeMatch(m, 10, 10), 'This is your photo #123 "Red teapot, front" (imported 2026-03-02): cropped to 70%, scaled to 40%, brightened and with something put on top (text, a logo or a tag) — 96% match.');
    assert.match(describeMatch(undefined, 10, 10), /^No match in your library/);
    assert.match(describeMatch(undefined, 0, 0), /library is empty/);
    assert.match(describeMatch(undefined, 5, 0), /back-fill/);
  });
});
