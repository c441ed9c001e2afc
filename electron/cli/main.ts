import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { CliExit, EXIT_USAGE } from './runtime.ts';
import { registerLibraryCommands } from './commands/library.ts';
import { registerCheckCommands } from './commands/check.ts';
import { registerWatermarkCommands } from './commands/watermark.ts';
import { registerHiddenCommands } from './commands/hidden.ts';
import { registerFindCommands } from './commands/find.ts';
import { registerBundlesCommands } from './commands/bundles.ts';
import { registerCallCommands } from './commands/call.ts';

export function buildProgram(): Command {
  const program = new Command('proofmark')
    .description('ProofMark: protect your original product photos (library, watermarks, registration checks, originality checks, evidence bundles)')
    .version(pkg.version)
    .option('--library <dir>', 'library folder (default: $PROOFMARK_LIBRARY, else the app-data folder)')
    .option('--json', 'print one JSON document instead of text')
    .showHelpAfterError()
    .exitOverride();
  registerLibraryCommands(program);
  registerCheckCommands(program);
  registerWatermarkCommands(program);
  registerHiddenCommands(program);
  registerFindCommands(program);
  registerBundlesCommands(program);
  registerCallCommands(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CliExit) {
      if (err.message) console.error(err.message);
      return err.exitCode;
    }
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    console.error(`proofmark: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
