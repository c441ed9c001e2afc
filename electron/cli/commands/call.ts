import type { Command } from 'commander';
import { contract, isMethodName, methodNames } from '../../contract/index.ts';
import { CliExit, EXIT_USAGE, globalOptions, invoke, printJson, withCore } from '../runtime.ts';

/** Every contract method, reachable from the shell: the CLI's generic front end. */
export function registerCallCommands(program: Command): void {
  program
    .command('methods')
    .description('list every API method')
    .action((_o: unknown, cmd: Command) => {
      const opts = globalOptions(cmd);
      if (opts.json) printJson(methodNames.map((name) => ({ name, summary: contract[name].summary, job: contract[name].job })));
      else for (const name of methodNames) console.log(`${name.padEnd(28)} ${contract[name].summary}`);
    });

  program
    .command('call')
    .description('call any API method with a JSON input, print its JSON result')
    .argument('<method>', 'method name (see "proofmark methods")')
    .argument('[input]', 'JSON input', '{}')
    .action(async (method: string, inputText: string, _o: unknown, cmd: Command) => {
      const opts = globalOptions(cmd);
      if (!isMethodName(method)) throw new CliExit(EXIT_USAGE, `There is no method called ${method}; "proofmark methods" lists them.`);
      let input: unknown;
      try {
        input = JSON.parse(inputText);
      } catch (err) {
        throw new CliExit(EXIT_USAGE, `The input is not valid JSON: ${(err as Error).message}`);
      }
      const result = await withCore(opts, (core) => invoke(core, method, input as never, { ...opts, json: true }));
      printJson(result);
    });
}
