// Methods of the find feature; filled in by its issue.
export const findMethods = {} as const;
