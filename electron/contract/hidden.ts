// Methods of the hidden feature; filled in by its issue.
export const hiddenMethods = {} as const;
