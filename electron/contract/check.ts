// Methods of the check feature; filled in by its issue.
export const checkMethods = {} as const;
