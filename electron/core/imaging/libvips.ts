import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import type * as Koffi from 'koffi';

/**
 * What sharp does not expose, reached through koffi (a C FFI) on the very libvips library sharp
 * has loaded and initialised: JPEG restart markers (DRI/RSTn, so that a marked region can be
 * spliced in without re-encoding the rest), encoding a region of memory pixels with them, and
 * decoding into memory the caller keeps from image to image. Everything else stays with sharp.
 *
 * The calls are synchronous and libvips does the work on its own threads: call from worker
 * threads only. `libvips()` is null when the library cannot be found or loaded (an unusual
 * install); callers then take sharp's path, which gives the same pixels.
 */

export interface JpegSettings {
  quality: number;
  /** Restart marker every this many MCUs. */
  restartInterval: number;
}

export interface Pixels8 {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

export interface Libvips {
  /**
   * Decodes a JPEG that needs no EXIF rotation (turning needs the whole image: callers hold a frame
   * for those) and, when `toSrgb`, converts an embedded profile to sRGB as sharp does
   * (perceptual, 8 bit); then encodes it baseline, 4:2:0, without
   * Huffman optimisation or metadata, with restart markers: sharp's `jpeg({ quality,
   * optimiseCoding: false })` stream plus DRI and RSTn. Streams: no frame is held. The JPEG is
   * handed to `use` in libvips' memory, which is freed when `use` returns.
   */
  recodeJpeg<T>(source: Uint8Array, opts: JpegSettings & { toSrgb: boolean }, use: (jpeg: Uint8Array) => T): T;
  /**
   * Decodes a JPEG upright into `frame` (memory the caller keeps from image to image, sized
   * upright width × height × 3), with recodeJpeg's decoding and the EXIF orientation applied: the
   * pixels sharp's `rotate().raw()` gives. A turned JPEG is decoded first into `stored(bytes)`,
   * memory the caller also keeps, and turned from there: libvips would otherwise decode it into
   * fresh memory of its own to turn it.
   */
  decodeJpegInto(source: Uint8Array, frame: Pixels8, opts: { toSrgb: boolean; stored: (bytes: number) => Uint8Array }): void;
  /** Encodes 8-bit RGB pixels as sharp's `jpeg({ quality, optimiseCoding: false })` does; the JPEG is handed to `use` in libvips' memory. */
  encodeJpeg<T>(pixels: Pixels8, opts: { quality: number }, use: (jpeg: Uint8Array) => T): T;
  /** Decodes a JPEG (one made by this module) to 8-bit pixels. */
  decodeJpeg(jpeg: Uint8Array): Pixels8;
  /** Encodes a rectangle of 8-bit RGB pixels with the same settings as recodeJpeg. */
  encodeRegion(pixels: Pixels8, region: { left: number; top: number; width: number; height: number }, opts: JpegSettings): Buffer;
}

type Ptr = unknown;
const FORMAT_UCHAR = 0;
const INTERPRETATION_SRGB = 22;
const SUBSAMPLE_ON = 1;
const KEEP_NONE = 0;
const INTENT_PERCEPTUAL = 0;

/** sharp's libvips for this platform (its package exports the file; Windows keeps the DLLs next to sharp), inside an unpacked Electron app too. */
function libvipsFile(): string | null {
  const require = createRequire(import.meta.url);
  const arch = `${process.platform}-${process.arch}`;
  const unpacked = (file: string) => file.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
  for (const pkg of [`@img/sharp-libvips-${arch}`, `@img/sharp-${arch}`]) {
    try {
      return unpacked(require.resolve(`${pkg}/binary`));
    } catch {
      // no such export: look in the package's lib folder
    }
    try {
      const dir = unpacked(path.join(path.dirname(require.resolve(`${pkg}/package`)), 'lib'));
      const file = fs.readdirSync(dir).find((f) => /^libvips-cpp[.-].*\.(so[.\d]*|dylib|dll)$/.test(f));
      if (file) return path.join(dir, file);
    } catch {
      // not installed for this platform
    }
  }
  return null;
}

function bind(lib: Koffi.LibraryHandle, koffi: typeof Koffi): Libvips {
  const newFromBuffer = lib.func('void *vips_image_new_from_buffer(const void *buf, size_t len, const char *options, ...)');
  const newFromMemory = lib.func('void *vips_image_new_from_memory(const void *data, size_t size, int width, int height, int bands, int format)');
  const imageWrite = lib.func('int vips_image_write(void *input, void *out)');
  const setInt = lib.func('void vips_image_set_int(void *image, const char *name, int i)');
  const autorot = lib.func('int vips_autorot(void *input, _Out_ void **out, ...)');
  const orientation = lib.func('int vips_image_get_orientation(void *image)');
  const iccTransform = lib.func('int vips_icc_transform(void *input, _Out_ void **out, const char *profile, ...)');
  const copy = lib.func('int vips_copy(void *input, _Out_ void **out, ...)');
  const extractArea = lib.func('int vips_extract_area(void *input, _Out_ void **out, int left, int top, int width, int height, ...)');
  const jpegsaveBuffer = lib.func('int vips_jpegsave_buffer(void *input, _Out_ void **buf, _Out_ size_t *len, ...)');
  const writeToMemory = lib.func('void *vips_image_write_to_memory(void *input, _Out_ size_t *size)');
  const width = lib.func('int vips_image_get_width(void *image)');
  const height = lib.func('int vips_image_get_height(void *image)');
  const bands = lib.func('int vips_image_get_bands(void *image)');
  const typeOf = lib.func('size_t vips_image_get_typeof(void *image, const char *name)');
  const gFree = lib.func('void g_free(void *mem)');
  const unref = lib.func('void g_object_unref(void *object)');
  const errorBuffer = lib.func('const char *vips_error_buffer(void)');
  const errorClear = lib.func('void vips_error_clear(void)');
  const END: [string, null] = ['void *', null];

  /** Runs `work` with a scope that unreferences every image and frees every block it took. */
  function scoped<T>(work: (take: (image: Ptr) => Ptr, fail: () => never) => T): T {
    const images: Ptr[] = [];
    const take = (image: Ptr) => {
      if (!image) fail();
      images.push(image);
      return image;
    };
    const fail = (): never => {
      const message = String(errorBuffer() ?? 'libvips failed').trim();
      errorClear();
      throw new Error(message);
    };
    try {
      return work(take, fail);
    } finally {
      for (const image of images.reverse()) unref(image);
    }
  }
  const out = (status: number, ref: Ptr[], take: (image: Ptr) => Ptr) => {
    if (status !== 0) take(null);
    return take(ref[0]);
  };

  /** Hands a block libvips allocated to `use` as bytes, then frees it. */
  function borrow<T>(mem: Ptr, length: number, use: (bytes: Uint8Array) => T): T {
    try {
      return use(new Uint8Array(koffi.view(mem, length)));
    } finally {
      gFree(mem);
    }
  }
  const copyOut = (bytes: Uint8Array) => Buffer.from(bytes);
  function save<T>(image: Ptr, opts: { quality: number; restartInterval?: number }, fail: () => never, use: (jpeg: Uint8Array) => T): T {
    const buf: Ptr[] = [null];
    const len: number[] = [0];
    const status = jpegsaveBuffer(image, buf, len,
      'str', 'Q', 'int', opts.quality, 'str', 'optimize_coding', 'int', 0, 'str', 'subsample_mode', 'int', SUBSAMPLE_ON,
      'str', 'keep', 'int', KEEP_NONE, 'str', 'restart_interval', 'int', opts.restartInterval ?? 0, ...END);
    if (status !== 0) fail();
    return borrow(buf[0], len[0]!, use);
  }
  /**
   * An image of the encoded bytes. koffi passes a typed array's own memory, and libvips reads it
   * until the image is freed, within this call; array buffers' memory does not move.
   */
  function load<T>(bytes: Uint8Array, work: (image: Ptr, take: (image: Ptr) => Ptr, fail: () => never) => T): T {
    return scoped((take, fail) => work(take(newFromBuffer(bytes, bytes.byteLength, '[access=sequential,fail_on=truncated]', ...END)), take, fail));
  }

  /** The decoded source in sharp's colours: an embedded profile converted to sRGB when asked. */
  function coloured(image: Ptr, toSrgb: boolean, take: (image: Ptr) => Ptr): Ptr {
    if (!toSrgb || Number(typeOf(image, 'icc-profile-data')) === 0) return image;
    const ref: Ptr[] = [null];
    return out(iccTransform(image, ref, 'srgb', 'str', 'embedded', 'int', 1, 'str', 'depth', 'int', 8, 'str', 'intent', 'int', INTENT_PERCEPTUAL, ...END), ref, take);
  }
  /** An sRGB image over 8-bit RGB pixels in JS memory (not copied: valid within the scope). */
  function overPixels(pixels: Pixels8, take: (image: Ptr) => Ptr): Ptr {
    const whole = take(newFromMemory(pixels.data, pixels.data.byteLength, pixels.width, pixels.height, pixels.channels, FORMAT_UCHAR));
    const ref: Ptr[] = [null];
    return out(copy(whole, ref, 'str', 'interpretation', 'int', INTERPRETATION_SRGB, ...END), ref, take);
  }

  return {
    recodeJpeg(source, opts, use) {
      return load(source, (image, take, fail) => {
        if (orientation(image) > 1) throw new Error('the image is turned by its EXIF orientation');
        return save(coloured(image, opts.toSrgb, take), opts, fail, use);
      });
    },
    decodeJpegInto(source, frame, opts) {
      load(source, (image, take, fail) => {
        const img = coloured(image, opts.toSrgb, take);
        const turn = orientation(image);
        const [w, h, b] = [width(img), height(img), bands(img)];
        const size = turn >= 5 ? `${h}x${w}x${b}` : `${w}x${h}x${b}`;
        if (size !== `${frame.width}x${frame.height}x${frame.channels}` || frame.data.byteLength !== frame.width * frame.height * frame.channels) {
          throw new Error(`the JPEG decodes upright to ${size}, not ${frame.width}x${frame.height}x${frame.channels}`);
        }
        const into = (from: Ptr, to: Uint8Array, width: number, height: number) => {
          if (imageWrite(from, take(newFromMemory(to, to.byteLength, width, height, b, FORMAT_UCHAR))) !== 0) fail();
        };
        if (turn <= 1) return into(img, frame.data, frame.width, frame.height);
        const stored = opts.stored(w * h * b);
        into(img, stored, w, h);
        const over = take(newFromMemory(stored, stored.byteLength, w, h, b, FORMAT_UCHAR));
        setInt(over, 'orientation', turn);
        const ref: Ptr[] = [null];
        into(out(autorot(over, ref, ...END), ref, take), frame.data, frame.width, frame.height);
      });
    },
    encodeJpeg(pixels, opts, use) {
      return scoped((take, fail) => save(overPixels(pixels, take), opts, fail, use));
    },
    decodeJpeg(jpeg) {
      return load(jpeg, (image, _take, fail) => {
        const size: number[] = [0];
        const mem = writeToMemory(image, size);
        if (!mem) fail();
        return { data: borrow(mem, size[0]!, copyOut), width: width(image), height: height(image), channels: bands(image) };
      });
    },
    encodeRegion(pixels, region, opts) {
      return scoped((take, fail) => {
        const ref: Ptr[] = [null];
        const area = out(extractArea(overPixels(pixels, take), ref, region.left, region.top, region.width, region.height, ...END), ref, take);
        return save(area, opts, fail, copyOut);
      });
    },
  };
}

let loaded: Libvips | null | undefined;

/** The binding, loaded once per thread; null when sharp's libvips cannot be loaded here. */
export function libvips(): Libvips | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const file = libvipsFile();
  if (!file) return loaded;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof Koffi;
    const lib = koffi.load(file);
    // Only the library sharp itself runs on (loaded and initialised when sharp was imported).
    const version = lib.func('int vips_version(int flag)');
    if ([0, 1, 2].map((f) => version(f)).join('.') !== sharp.versions.vips) return loaded;
    loaded = bind(lib, koffi);
  } catch {
    loaded = null;
  }
  return loaded;
}
