// Strings of the watermark feature; filled in by its issue.
export const watermarkStrings = { en: {}, zh: {} };
