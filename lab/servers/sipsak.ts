import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir, removeTempDir, requireExecutable, runCommand } from "./process.js";
import { serializeSip, token } from "./sip-message.js";

const SIPSAK = "/usr/bin/sipsak";

export interface SipsakRequest {
  host: string;
  port: number;
  transport?: "udp" | "tcp";
  method: string;
  /** Request-URI and To. */
  uri: string;
  /** From URI; defaults to `uri` (a PUBLISH is sent by its presentity). */
  from?: string;
  /** Extra headers: Event, Expires, Content-Type, SIP-If-Match… */
  headers?: [string, string][];
  body?: string;
  /** sipsak answers 401/407 with these. */
  auth?: { user: string; password: string };
}

export interface SipsakResult {
  /** The last response's status code (undefined when nothing answered). */
  code: number | undefined;
  /** Every response received, in order: `[407, 200]` for an authenticated request. */
  codes: number[];
  exitCode: number;
  output: string;
}

/** Sends one request with sipsak (a real, independent SIP client) and reports the responses. */
export async function sipsak(request: SipsakRequest): Promise<SipsakResult> {
  requireExecutable("sipsak", SIPSAK);
  const dir = makeTempDir("sipsak");
  try {
    const file = join(dir, "request.sip");
    const headers: [string, string][] = [
      ["From", `<${request.from ?? request.uri}>;tag=${token()}`],
      ["To", `<${request.uri}>`],
      ["Call-ID", `${token()}@sipsak`],
      ["CSeq", `1 ${request.method}`],
      ["Max-Forwards", "70"],
      ["Contact", `<sip:sipsak@${request.host}>`],
      ...(request.headers ?? []),
    ];
    // sipsak adds its own Via; -L keeps our CRLFs so Content-Length stays exact.
    writeFileSync(file, serializeSip(`${request.method} ${request.uri} SIP/2.0`, headers, request.body));
    const args = ["-vvv", "-L", "-f", file, "-s", `sip:${request.host}:${request.port}`];
    if (request.transport === "tcp") args.push("-E", "tcp");
    if (request.auth) args.push("-u", request.auth.user, "-a", request.auth.password);
    const r = await runCommand(SIPSAK, args, { cwd: dir });
    const output = r.stdout + r.stderr;
    const codes = [...output.matchAll(/^SIP\/2\.0 (\d{3})/gm)].map((m) => Number(m[1]));
    return { code: codes.at(-1), codes, exitCode: r.code, output };
  } finally {
    removeTempDir(dir);
  }
}

/** A PUBLISH of a PIDF body (RFC 3903) for `uri`, as a phone would send it. */
export function sipsakPublish(
  target: { host: string; port: number; transport?: "udp" | "tcp" },
  uri: string,
  pidfBody: string,
  options: { expires?: number; auth?: { user: string; password: string } } = {},
): Promise<SipsakResult> {
  return sipsak({
    ...target,
    method: "PUBLISH",
    uri,
    headers: [["Event", "presence"], ["Expires", String(options.expires ?? 300)], ["Content-Type", "application/pidf+xml"]],
    body: pidfBody,
    ...(options.auth ? { auth: options.auth } : {}),
  });
}
