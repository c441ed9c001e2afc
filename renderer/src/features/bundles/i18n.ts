// Strings of the bundles feature; filled in by its issue.
export const bundlesStrings = { en: {}, zh: {} };
