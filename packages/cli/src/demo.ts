import {
  createKeyPackage,
  MlsGroup as Group,
  generateSignatureKeyPair,
  type KeyPackageBundle,
  loadSuite,
  type MlsGroup,
  type MlsSuite,
} from "@parley/mls";

const text = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

interface Person {
  readonly name: string;
  group?: MlsGroup;
  keyPackage(): Promise<KeyPackageBundle>;
}

async function person(suite: MlsSuite, name: string): Promise<Person> {
  const signatureKeyPair = await generateSignatureKeyPair(suite);
  return { name, keyPackage: () => createKeyPackage(suite, { identity: text(name), signatureKeyPair }) };
}

/**
 * The in-process MLS demo: three members on Parley's node:crypto provider go through a group's life cycle,
 * and every member prints what it sees. (The networked demo with a server joins it in a later release.)
 */
export async function runDemo(say: (line: string) => void): Promise<void> {
  const suite = await loadSuite("MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519");
  say(`Parley MLS demo — ciphersuite ${suite.name} (${suite.id}), node:crypto provider`);
  const [alice, bob, carol] = await Promise.all(["alice", "bob", "carol"].map((n) => person(suite, n)));
  if (!alice || !bob || !carol) return;
  const everyone = [alice, bob, carol];
  const inGroup = () => everyone.filter((p) => p.group?.active);
  const authenticators = () => {
    const g = alice.group ?? bob.group;
    say(`  epoch ${g?.epoch}: epoch authenticator per member:`);
    for (const p of inGroup())
      say(`    ${p.name.padEnd(6)} ${hex(p.group?.epochAuthenticator ?? new Uint8Array()).slice(0, 32)}…`);
  };
  /** `from` commits; everyone else in the group processes the commit. */
  const commitBy = async (from: Person, changes: Parameters<MlsGroup["commit"]>[0]) => {
    const staged = await (from.group as MlsGroup).commit(changes);
    for (const p of inGroup()) {
      if (p === from) continue;
      const result = await (p.group as MlsGroup).process(staged.commit);
      p.group = result.group;
    }
    from.group = staged.group;
    return staged;
  };
  const send = async (from: Person, message: string) => {
    const sent = await (from.group as MlsGroup).encrypt(text(message));
    from.group = sent.group;
    say(`${from.name} sends "${message}" (${sent.message.length} bytes on the wire)`);
    for (const p of inGroup()) {
      if (p === from) continue;
      const got = await (p.group as MlsGroup).process(sent.message);
      p.group = got.group;
      if (got.kind === "application") say(`  ${p.name} reads "${new TextDecoder().decode(got.data)}"`);
    }
  };

  alice.group = await Group.create(suite, await alice.keyPackage());
  say("alice creates a group");
  authenticators();

  const bobKp = await bob.keyPackage();
  const carolKp = await carol.keyPackage();
  const added = await commitBy(alice, { add: [bobKp.message, carolKp.message] });
  bob.group = await Group.joinFromWelcome(suite, added.welcome as Uint8Array, bobKp);
  carol.group = await Group.joinFromWelcome(suite, added.welcome as Uint8Array, carolKp);
  say("alice adds bob and carol; both join from the Welcome");
  authenticators();

  await send(alice, "hello, both of you");
  await send(carol, "hi alice, hi bob");

  await commitBy(bob, {});
  say("bob commits an update of his path (post-compromise security)");
  authenticators();

  await commitBy(carol, { remove: [(bob.group as MlsGroup).ownLeafIndex] });
  say("carol removes bob");
  authenticators();
  await send(alice, "bob can no longer read this");
  say(`bob is ${bob.group?.active ? "still in the group" : "out of the group"}`);
}
