// Methods of the watermark feature; filled in by its issue.
export const watermarkMethods = {} as const;
