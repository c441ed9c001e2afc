import type { Command } from 'commander';

// The bundles feature's commands; filled in by its issue.
export function registerBundlesCommands(_program: Command): void {}
