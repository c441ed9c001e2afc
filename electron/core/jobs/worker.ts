import { tasks, type TaskName } from './tasks.ts';

/** Piscina worker entry: runs one named pixel task. */
export default function runTask(message: { name: TaskName; input: never }): unknown {
  const task = tasks[message.name] as ((input: never) => unknown) | undefined;
  if (!task) throw new Error(`Unknown pixel task ${String(message.name)}`);
  return task(message.input);
}
