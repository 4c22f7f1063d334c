/**
 * `npm run demo`: the live bridge between a local Prosody and a local Kamailio, with a
 * scripted chat user (juliet, @xmpp/client) and a scripted SIP phone and watcher (raw SIP
 * on loopback, publishing what Asterisk 20 publishes). Prints what each side sees.
 * With a terminal it keeps running after the scenario until Ctrl-C; without one (CI) it
 * runs the scenario once and exits 0. Everything it started is stopped by PID.
 * The old walk over the shipped samples is `presence-bridge demo --samples`.
 */
import { loginChatUser, type ChatPresence, type ChatUser } from "./chat-user.js";
import { COMPONENT, ensureServers, JULIET, startStack, type DemoStack } from "./demo-stack.js";
import { sipScenario, sipSideRuns } from "./demo-sip.js";
import { LOOPBACK } from "./servers/free-port.js";
import { leaveSignalsToCaller } from "./servers/process.js";

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const interactive = process.stdout.isTTY === true && process.env.CI === undefined;

const shown = (p: ChatPresence): string => {
  if (p.type !== undefined) return p.type;
  return `${p.show ?? "available"}${p.status === undefined ? "" : ` — ${p.status}`}`;
};

let stack: DemoStack | undefined;
let juliet: ChatUser | undefined;
let stopping: Promise<void> | undefined;

function stopAll(reason: string): Promise<void> {
  stopping ??= (async () => {
    say(`\n${reason}: stopping what the demo started…`);
    await juliet?.stop().catch(() => undefined);
    if (stack !== undefined) {
      say(`  presence-bridge ${stack.bridge.pid}, Kamailio ${stack.kamailio.pid}, Prosody ${stack.prosody.pid}; temp folders removed`);
      await stack.stop();
    }
  })();
  return stopping;
}

async function chatScenario(user: ChatUser, phone: string): Promise<void> {
  say(`\n1. Chat user juliet subscribes to the phone ${phone}`);
  const answered = user.waitFor((p) => p.from === phone && (p.type === "subscribed" || p.type === "unsubscribed"), 10_000, `an answer from ${phone}`);
  await user.sendPresenceType("subscribe", phone);
  const answer = await answered;
  say(`   chat user juliet: the bridge answered ${answer.type}`);
}

async function main(): Promise<number> {
  leaveSignalsToCaller();
  process.once("SIGINT", () => void stopAll("Ctrl-C").then(() => process.exit(130)));
  process.once("SIGTERM", () => void stopAll("SIGTERM").then(() => process.exit(143)));

  ensureServers(say);
  say("Starting Prosody, Kamailio and presence-bridge on loopback…");
  stack = await startStack(say);
  for (const line of stack.bridgeLines()) say(`  ${line}`);

  juliet = await loginChatUser({ host: LOOPBACK, port: stack.prosody.c2sPort, domain: stack.prosody.domain, ...JULIET, resource: "demo" });
  await juliet.setPresence(undefined, "Reading");
  say(`chat user ${juliet.jid} online (a scripted @xmpp/client)`);
  juliet.onPresence((p) => {
    if (p.from.endsWith(`@${COMPONENT.domain}`) && p.type !== "subscribed") say(`   chat user juliet sees ${p.from.split("@")[0]}: ${shown(p)}`);
  });

  const phone = `1001@${COMPONENT.domain}`;
  await chatScenario(juliet, phone);
  if (await sipSideRuns(stack)) {
    await sipScenario(stack, juliet, say);
  } else {
    say("\nThe bridge of this version runs the XMPP side only: its SIP side does not answer yet, so presence");
    say("cannot move between the phone and juliet. The chat half above ran against the real servers.");
  }

  if (!interactive) {
    await stopAll("Scenario done");
    return 0;
  }
  say(`\nStill running. Log in as juliet / ${JULIET.password} at xmpp://${LOOPBACK}:${stack.prosody.c2sPort} (domain ${stack.prosody.domain}),`);
  say(`or point a SIP phone at sip:${LOOPBACK}:${stack.kamailio.port}. Ctrl-C stops everything.`);
  return new Promise<number>(() => undefined);
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll("Failed");
    process.exit(1);
  },
);
