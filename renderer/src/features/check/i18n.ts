// Strings of the check feature; filled in by its issue.
export const checkStrings = { en: {}, zh: {} };
