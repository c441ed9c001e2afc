import type { Command } from 'commander';

// The check feature's commands; filled in by its issue.
export function registerCheckCommands(_program: Command): void {}
