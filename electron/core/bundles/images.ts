import sharp from 'sharp';

export interface Picture {
  data: Buffer;
  width: number;
  height: number;
}

/** An upright JPEG of at most `maxSide` pixels for placing in a PDF (pdfkit reads JPEG and PNG only). */
export async function displayImage(input: string | Buffer, maxSide: number, pixelLimit: number): Promise<Picture> {
  const { data, info } = await sharp(input, { limitInputPixels: pixelLimit })
    .rotate()
    .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .jpeg({ quality: 84 })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
