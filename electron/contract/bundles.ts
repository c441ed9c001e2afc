// Methods of the bundles feature; filled in by its issue.
export const bundlesMethods = {} as const;
