import type { Command } from 'commander';

// The watermark feature's commands; filled in by its issue.
export function registerWatermarkCommands(_program: Command): void {}
