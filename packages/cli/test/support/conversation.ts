import { type CliProcess, registerUser, startChat } from "./cli.js";

/**
 * Two registered users, each in a running `parley chat`, in one conversation NAME that `first` created with
 * `second`; both have it open. The caller quits (or kills) the chats.
 */
export async function twoInAConversation(
  server: string,
  env: Record<string, string>,
  [first, second]: [string, string],
  name: string,
): Promise<[CliProcess, CliProcess]> {
  await registerUser(server, first, env);
  await registerUser(server, second, env);
  const a = startChat(first, env);
  const b = startChat(second, env);
  await Promise.all([a.waitFor(/\* connected/), b.waitFor(/\* connected/)]);
  a.write(`/new ${name} ${second}\n`);
  await Promise.all([a.waitFor(new RegExp(`you added ${second}`)), b.waitFor(/\* you joined/)]);
  return [a, b];
}
