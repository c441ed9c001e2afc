// Strings of the find feature; filled in by its issue.
export const findStrings = { en: {}, zh: {} };
