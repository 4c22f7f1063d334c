/** What the gateway integration tests share: the config with a SIP side, PIDF bodies, the bridge as a child process. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { resolve } from "node:path";
import type { Kamailio } from "../servers/kamailio.js";
import type { XmppServer } from "../servers/prosody.js";
import { COMPONENT, writeConfig } from "./presence-server-helpers.js";

export const ROOT = resolve(import.meta.dirname, "../..");
/** Chat users are served to SIP as `sip:<user>@chat.test`; Kamailio relays that domain to the bridge. */
export const CHAT_SIP_DOMAIN = "chat.test";

/** The bridge's config for these servers: the SIP side decides every request (nothing approved by policy). */
export function writeGatewayConfig(dir: string, server: XmppServer, kamailio: Kamailio, bridgePort: number, sip: Record<string, unknown> = {}): string {
  return writeConfig(dir, server, {
    subscriptions: { approve: [], otherwise: "defer" },
    contacts: { pattern: "^sip:[0-9]+@(sip\\.localhost|example\\.com)$" },
    sip: {
      listen: { udp: { port: bridgePort } },
      outboundProxy: `sip:${kamailio.host}:${kamailio.port}`,
      identity: `sip:presence-bridge@${COMPONENT.domain}`,
      domain: CHAT_SIP_DOMAIN,
      minNotifyIntervalMs: 0,
      ...sip,
    },
  });
}

export const onThePhonePidf = (entity: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\r\n<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" ` +
  `xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${entity}"><tuple id="t1"><status><basic>open</basic></status></tuple>` +
  `<dm:person id="p1"><rpid:activities><rpid:on-the-phone/></rpid:activities></dm:person></presence>\r\n`;

export const openPidf = (entity: string, note: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\r\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}">` +
  `<tuple id="t1"><status><basic>open</basic></status><note>${note}</note></tuple></presence>\r\n`;

export const etagOf = (sipsakOutput: string): string | undefined => /SIP-ETag:\s*(\S+)/i.exec(sipsakOutput)?.[1];

export interface BridgeProcess {
  /** Resolves with the "online:" line of stdout. */
  readonly online: Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  stdout(): string;
  stderr(): string;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: string | null }>;
}

/** `presence-bridge start --config FILE` (the compiled CLI: run `npm run build` first). */
export function startBridge(config: string, secret = COMPONENT.secret): BridgeProcess {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [resolve(ROOT, "bin/presence-bridge.js"), "start", "--config", config], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PRESENCE_BRIDGE_XMPP_SECRET: secret },
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((done) => child.once("exit", (code, signal) => done({ code, signal })));
  const online = new Promise<string>((done, fail) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.startsWith("presence-bridge: online:"));
      if (line !== undefined) done(line);
    });
    void exited.then(({ code }) => fail(new Error(`the bridge exited (${String(code)}) before it was online:\n${out}${err}`)));
  });
  online.catch(() => undefined);
  return {
    online,
    exited,
    stdout: () => out,
    stderr: () => err,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
