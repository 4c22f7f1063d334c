import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/cli/start-logger.js";

function capture(pretty: boolean, level: "debug" | "info" | "warn" | "error" = "info") {
  const lines: string[] = [];
  const logger = createLogger(level, { pretty, write: (line) => lines.push(...line.split("\n").filter((l) => l !== "")) });
  return { logger, lines };
}

describe("start logger (pino)", () => {
  it("writes one JSON object per event, with the event name and the fields operators search by", () => {
    const { logger, lines } = capture(false);
    logger.info("presence.sent", { contact: "1001@sip.example.com", watcher: "juliet@capulet.lit" });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: "info", event: "presence.sent", contact: "1001@sip.example.com", watcher: "juliet@capulet.lit" });
    expect(typeof entry.time).toBe("string");
  });

  it("drops events below the configured level", () => {
    const { logger, lines } = capture(false, "warn");
    logger.info("quiet");
    logger.debug("quieter");
    logger.error("link.failed", { reason: "not-authorized" });
    expect(lines.map((l) => (JSON.parse(l) as { event: string }).event)).toEqual(["link.failed"]);
  });

  it("on a terminal, a readable line with the level, the event and the fields", () => {
    const { logger, lines } = capture(true);
    logger.warn("subscription.refused", { watcher: "juliet@capulet.lit" });
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: subscription\.refused$/);
    expect(lines.slice(1).join("\n")).toContain('watcher: "juliet@capulet.lit"');
  });
});
