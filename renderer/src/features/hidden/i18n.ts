// Strings of the hidden feature; filled in by its issue.
export const hiddenStrings = { en: {}, zh: {} };
