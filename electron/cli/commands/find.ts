import type { Command } from 'commander';

// The find feature's commands; filled in by its issue.
export function registerFindCommands(_program: Command): void {}
