import type { Command } from 'commander';

// The hidden feature's commands; filled in by its issue.
export function registerHiddenCommands(_program: Command): void {}
