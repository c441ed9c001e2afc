import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Koffi from 'koffi';
import type { Pixels8 } from './libvips.ts';

/**
 * libjpeg-turbo's TurboJPEG API, reached through koffi. It is the same JPEG codec sharp's libvips
 * runs, without libvips' pipeline around it: a 4 MP decode and re-encode costs ~22 ms of CPU
 * through TurboJPEG against ~34 ms through sharp (measured here), for the same pixels and bytes.
 *
 * The library is the one @julusian/jpeg-turbo ships beside its binding on Linux; that binding itself
 * decodes with the fast, less exact DCT, so it is not used. On macOS and Windows the package links
 * libjpeg-turbo into its binding, and `turbojpeg()` is null: callers then use libvips. The calls are
 * synchronous: call from worker threads only.
 */

export interface TurboJpeg {
  /** Decodes a JPEG as stored (no EXIF turn, no colour conversion) into `frame`, which must be its size, 8-bit RGB. Throws on any damage, warnings included. */
  decodeInto(source: Uint8Array, frame: Pixels8): void;
  /**
   * Encodes 8-bit RGB with sharp's `jpeg({ quality, optimiseCoding: false })` settings (baseline,
   * 4:2:0, standard tables) and no JFIF segment. The JPEG is written into `room(bytes)`, memory
   * the caller keeps, and returned as the part of it that holds the file.
   */
  encodeJpeg(pixels: Pixels8, opts: { quality: number }, room: (bytes: number) => Uint8Array): Uint8Array;
}

// turbojpeg.h (libjpeg-turbo 3)
const INIT_COMPRESS = 0;
const INIT_DECOMPRESS = 1;
const PARAM_STOPONWARNING = 0;
const PARAM_NOREALLOC = 2;
const PARAM_QUALITY = 3;
const PARAM_SUBSAMP = 4;
const PARAM_JPEGWIDTH = 5;
const PARAM_JPEGHEIGHT = 6;
const PARAM_OPTIMIZE = 11;
const SAMP_420 = 2;
const PF_RGB = 0;

/** The library for this platform in @julusian/jpeg-turbo's prebuilds (unpacked from an Electron app's asar), or null. */
function libraryFile(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('@julusian/jpeg-turbo/package.json');
    const dir = path.join(path.dirname(pkg), 'prebuilds', `jpeg-turbo-${process.platform}-${process.arch}`).replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
    const file = fs.readdirSync(dir).find((f) => /^(lib)?turbojpeg[.-].*(so[.\d]*|dylib|dll)$/.test(f));
    return file ? path.join(dir, file) : null;
  } catch {
    return null;
  }
}

function bind(lib: Koffi.LibraryHandle): TurboJpeg {
  const init = lib.func('void *tj3Init(int initType)');
  const set = lib.func('int tj3Set(void *handle, int param, int value)');
  const get = lib.func('int tj3Get(void *handle, int param)');
  const errorText = lib.func('const char *tj3GetErrorStr(void *handle)');
  const bufSize = lib.func('size_t tj3JPEGBufSize(int width, int height, int subsamp)');
  const header = lib.func('int tj3DecompressHeader(void *handle, const void *jpeg, size_t size)');
  // koffi passes a typed array's own memory for a void pointer: TurboJPEG writes straight into the frame.
  const decompress = lib.func('int tj3Decompress8(void *handle, const void *jpeg, size_t size, void *dst, int pitch, int pixelFormat)');
  const compress = lib.func('int tj3Compress8(void *handle, const void *src, int width, int pitch, int height, int pixelFormat, _Inout_ void **jpeg, _Inout_ size_t *size)');

  const decoder = init(INIT_DECOMPRESS);
  const encoder = init(INIT_COMPRESS);
  if (!decoder || !encoder) throw new Error('TurboJPEG could not start');
  const check = (status: number, handle: unknown) => {
    if (status !== 0) throw new Error(String(errorText(handle)));
  };
  // A warning (a truncated file, stray bytes) fails the call too, as libvips' fail_on=truncated
  // would fail the first: the caller's slower path then decides.
  check(set(decoder, PARAM_STOPONWARNING, 1), decoder);
  // Never reallocate the caller's memory.
  check(set(encoder, PARAM_NOREALLOC, 1), encoder);
  check(set(encoder, PARAM_SUBSAMP, SAMP_420), encoder);
  check(set(encoder, PARAM_OPTIMIZE, 0), encoder);

  return {
    decodeInto(source, frame) {
      check(header(decoder, source, source.byteLength), decoder);
      const [w, h] = [get(decoder, PARAM_JPEGWIDTH), get(decoder, PARAM_JPEGHEIGHT)];
      if (w !== frame.width || h !== frame.height || frame.channels !== 3 || frame.data.byteLength !== w * h * 3) {
        throw new Error(`the JPEG is ${w}x${h}, not ${frame.width}x${frame.height}x${frame.channels}`);
      }
      check(decompress(decoder, source, source.byteLength, frame.data, 0, PF_RGB), decoder);
    },
    encodeJpeg(pixels, opts, room) {
      if (pixels.channels !== 3 || pixels.data.byteLength !== pixels.width * pixels.height * 3) throw new Error('TurboJPEG encodes 8-bit RGB only');
      check(set(encoder, PARAM_QUALITY, opts.quality), encoder);
      const out = room(Number(bufSize(pixels.width, pixels.height, SAMP_420)));
      const size = [out.byteLength];
      check(compress(encoder, pixels.data, pixels.width, 0, pixels.height, PF_RGB, [out], size), encoder);
      return withoutJfif(out.subarray(0, size[0]));
    },
  };
}

/** The JPEG without the JFIF segment TurboJPEG writes after SOI (libvips writes none), in place. */
function withoutJfif(jpeg: Uint8Array): Uint8Array {
  if (jpeg[2] !== 0xff || jpeg[3] !== 0xe0) return jpeg;
  const next = 4 + ((jpeg[4]! << 8) | jpeg[5]!);
  jpeg[next - 2] = 0xff;
  jpeg[next - 1] = 0xd8;
  return jpeg.subarray(next - 2);
}

let loaded: TurboJpeg | null | undefined;

/** The binding, loaded once per thread; null when there is no TurboJPEG library for this platform. */
export function turbojpeg(): TurboJpeg | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const file = libraryFile();
  if (!file) return loaded;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof Koffi;
    loaded = bind(koffi.load(file));
  } catch {
    loaded = null;
  }
  return loaded;
}
