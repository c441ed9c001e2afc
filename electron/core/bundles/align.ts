/**
 * Lining up a suspect picture with the region of the original it was copied from (a worker task):
 * a coarse search (shifts up to 4%, scales 96–104%) then a fine one around the best, scored by
 * normalised cross-correlation of grey pictures, which is blind to brightness and contrast changes.
 * Pure computation on typed arrays: no I/O, nothing shared.
 */
export interface AlignInput {
  /** The original, grey, at its display size. */
  grey: Uint8Array;
  width: number;
  height: number;
  /** The suspect, grey, shrunk to about 160 and 400 px wide. */
  coarse: { data: Uint8Array; width: number; height: number };
  fine: { data: Uint8Array; width: number; height: number };
  /** Where Find says the suspect lies on the original, in display pixels. */
  region: { x: number; y: number; width: number; height: number };
}

type Cand = { x: number; y: number; width: number; height: number; s: number };

function scorer(input: AlignInput, pic: AlignInput['coarse']) {
  const { grey, width: W, height: H } = input;
  const { data, width: ws, height: hs } = pic;
  const n = ws * hs;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += data[i]!;
  mean /= n;
  const sn = new Float32Array(n);
  for (let i = 0; i < n; i++) sn[i] = data[i]! - mean;
  const xs = new Int32Array(ws);
  const ys = new Int32Array(hs);
  return (x: number, y: number, w: number, h: number): number => {
    for (let u = 0; u < ws; u++) xs[u] = Math.min(W - 1, Math.max(0, Math.floor(x + ((u + 0.5) * w) / ws)));
    for (let v = 0; v < hs; v++) ys[v] = Math.min(H - 1, Math.max(0, Math.floor(y + ((v + 0.5) * h) / hs)));
    let so = 0, so2 = 0, sso = 0;
    for (let v = 0, i = 0; v < hs; v++) {
      const row = ys[v]! * W;
      for (let u = 0; u < ws; u++, i++) {
        const o = grey[row + xs[u]!]!;
        so += o;
        so2 += o * o;
        sso += sn[i]! * o;
      }
    }
    const varO = so2 / n - (so / n) ** 2;
    return varO > 1e-6 ? sso / (n * Math.sqrt(varO)) : -Infinity;
  };
}

function search(score: (x: number, y: number, w: number, h: number) => number, around: Cand, reach: number, step: number, scaleReach: number, scaleStep: number): Cand {
  let best = around;
  const cx = around.x + around.width / 2;
  const cy = around.y + around.height / 2;
  for (let k = 1 - scaleReach; k <= 1 + scaleReach + 1e-9; k += scaleStep) {
    const w = around.width * k;
    const h = around.height * k;
    for (let j = -reach; j <= reach; j++) {
      for (let i = -reach; i <= reach; i++) {
        const x = cx - w / 2 + i * step;
        const y = cy - h / 2 + j * step;
        const sc = score(x, y, w, h);
        if (sc > best.s) best = { x, y, width: w, height: h, s: sc };
      }
    }
  }
  return best;
}

/** The best region (not rounded), or the given one when nothing lines up better. */
export function alignRegion(input: AlignInput): AlignInput['region'] {
  const r = input.region;
  const coarse = scorer(input, input.coarse);
  const cell = r.width / input.coarse.width;
  const c1 = search(coarse, { ...r, s: coarse(r.x, r.y, r.width, r.height) }, Math.ceil((0.04 * r.width) / cell), cell, 0.04, 0.01);
  const fine = scorer(input, input.fine);
  const base = fine(r.x, r.y, r.width, r.height);
  const c2 = search(fine, { ...c1, s: fine(c1.x, c1.y, c1.width, c1.height) }, 4, cell / 4, 0.01, 0.0025);
  if (!(c2.s > base + 0.002)) return r;
  const x = Math.max(0, Math.min(input.width - 1, c2.x));
  const y = Math.max(0, Math.min(input.height - 1, c2.y));
  return { x, y, width: Math.max(1, Math.min(input.width - x, c2.width)), height: Math.max(1, Math.min(input.height - y, c2.height)) };
}
