/**
 * `presence-bridge start --config FILE`: runs the presence server (the XEP-0114
 * component) until SIGTERM or SIGINT. Says on stdout what it opened and what it
 * connected to (one line per side); logs go to stderr as JSON lines.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildApp, type App } from "../app.js";
import { loadConfig } from "../config/index.js";
import { EXIT, reportErrors, UsageError, type Output } from "./io.js";
import { parseOptions } from "./options.js";
import { packageRoot } from "./package-root.js";
import { createLogger } from "./start-logger.js";

/** Exit code of `start` when the XMPP link fails for good (wrong secret, domain taken). */
export const EXIT_LINK_FAILED = 3;

export const START_USAGE = `  presence-bridge start [--config FILE]
      runs the presence server: the XEP-0114 component on the XMPP server of the config
      (keys may also come from PRESENCE_BRIDGE_* variables, e.g. PRESENCE_BRIDGE_XMPP_SECRET);
      exit 0 after SIGTERM/SIGINT, 1 for a bad config, 3 when the XMPP server refuses the component`;

export interface StartRuntime {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Registers the handler of SIGTERM and SIGINT. */
  onSignal(handler: (signal: string) => void): void;
}

const processRuntime: StartRuntime = {
  env: process.env,
  onSignal(handler) {
    process.once("SIGTERM", () => handler("SIGTERM"));
    process.once("SIGINT", () => handler("SIGINT"));
  },
};

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
}

export async function start(args: readonly string[], output: Output, runtime: StartRuntime = processRuntime): Promise<number> {
  const { values, positionals } = parseOptions(args, { config: { type: "string" } });
  if (positionals.length > 0) throw new UsageError("start takes no arguments besides --config FILE");
  const file = typeof values.config === "string" ? values.config : undefined;
  const config = loadConfig({ ...(file === undefined ? {} : { file }), env: runtime.env });
  if (!config.ok) return reportErrors(output, config.error);
  const logger = createLogger(config.value.log.level);
  const built = buildApp({ config: config.value, logger, version: version() });
  if (!built.ok) return reportErrors(output, built.error);
  const app = built.value;
  const { xmpp, store, mapping } = app.config;

  output.out(`presence-bridge ${version()}: store ${store.path}, mapping ${mapping.file ?? mapping.profile}`);
  output.out(`presence-bridge: connecting to ${xmpp.service} as component ${xmpp.domain}`);
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let stopping = false;
  runtime.onSignal((signal) => {
    stopping = true;
    void stop(app, output, signal).then(() => finish(EXIT.ok));
  });

  const started = await app.start();
  if (stopping) return finished;
  if (!started.ok) {
    // The link's message names the stream error condition (not-authorized, conflict, host-unknown).
    output.err(`presence-bridge: cannot connect to ${xmpp.service}: ${started.error.message}`);
    await app.stop();
    return EXIT_LINK_FAILED;
  }
  const sip = app.sip;
  if (sip !== undefined && app.config.sip !== undefined) {
    const c = app.config.sip;
    output.out(
      `presence-bridge: SIP side listening on ${sip.listening.join(", ")} as ${c.identity}; ` +
        `presence server ${c.outboundProxy ?? "(by DNS, no outbound proxy)"}; mode ${c.mode}; serving chat users as sip:*@${c.domain}`,
    );
  }
  const counts = app.presenceServer.registry.counts();
  output.out(
    `presence-bridge: online: component ${xmpp.domain} on ${xmpp.service}; ` +
      `${counts.total} subscriptions (${counts.watchers} watchers of ${counts.contacts} contacts) restored`,
  );
  app.link.onStatus((status) => {
    if (status.state === "reconnecting") output.out(`presence-bridge: link down (${status.error?.message ?? "closed"}); retrying in ${status.retryInMs ?? 0} ms`);
    else if (status.state === "online") output.out(`presence-bridge: online again: component ${xmpp.domain} on ${xmpp.service}`);
    else if (status.state === "failed") {
      output.err(`presence-bridge: the XMPP server refused the component: ${status.error?.message ?? "unknown reason"}`);
      void app.stop().then(() => finish(EXIT_LINK_FAILED));
    }
  });
  return finished;
}

async function stop(app: App, output: Output, signal: string): Promise<void> {
  const watchers = app.presenceServer.registry.counts().watchers;
  const sip = app.sip === undefined ? "" : "ending SIP subscriptions and publications, ";
  output.out(`presence-bridge: ${signal}: ${sip}sending unavailable to ${watchers} watchers, closing the store`);
  await app.stop();
}
