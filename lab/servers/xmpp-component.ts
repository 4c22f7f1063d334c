import { createHash } from "node:crypto";
import { connect, type Socket } from "node:net";

export interface RawComponent {
  streamId: string;
  /** Everything the server sent after the handshake, as text. */
  received(): string;
  send(xml: string): void;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  close(): Promise<void>;
}

/**
 * A XEP-0114 component over a raw socket, just enough for smoke tests: opens the
 * jabber:component:accept stream, answers with SHA-1(stream id + secret) (XEP-0114 §3) and
 * resolves once the server returns an empty <handshake/>; rejects with the stream error otherwise.
 */
export function connectRawComponent(options: { host: string; port: number; domain: string; secret: string; timeoutMs?: number }): Promise<RawComponent> {
  const socket: Socket = connect({ host: options.host, port: options.port });
  socket.setEncoding("utf8");
  let text = "";
  let afterHandshake = 0;
  const listeners = new Set<() => void>();
  socket.on("data", (chunk: string) => {
    text += chunk;
    for (const l of listeners) l();
  });

  const waitFor = (pattern: RegExp, timeoutMs = 5000, from = (): number => afterHandshake): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const m = text.slice(from()).match(pattern);
        if (m) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(m);
        }
        return m !== null;
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`component ${options.domain}: no ${String(pattern)} within ${timeoutMs} ms; got: ${text.slice(from())}`));
      }, timeoutMs);
      listeners.add(check);
      socket.once("close", () => {
        if (listeners.delete(check)) {
          clearTimeout(timer);
          reject(new Error(`component ${options.domain}: stream closed; got: ${text}`));
        }
      });
      check();
    });

  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.once("connect", async () => {
      try {
        socket.write(
          `<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' ` +
            `xmlns:stream='http://etherx.jabber.org/streams' to='${options.domain}'>`,
        );
        const header = await waitFor(/<stream:stream[^>]*\sid=['"]([^'"]+)['"][^>]*>/, options.timeoutMs, () => 0);
        const streamId = header[1]!;
        socket.write(`<handshake>${createHash("sha1").update(streamId + options.secret).digest("hex")}</handshake>`);
        const reply = await waitFor(/<handshake\s*\/>|<handshake><\/handshake>|<stream:error>[\s\S]*?<\/stream:error>/, options.timeoutMs, () => 0);
        if (!reply[0].startsWith("<handshake")) throw new Error(`component ${options.domain} refused: ${reply[0]}`);
        afterHandshake = (reply.index ?? 0) + reply[0].length;
        resolve({
          streamId,
          received: () => text.slice(afterHandshake),
          send: (xml) => socket.write(xml),
          waitFor: (pattern, timeoutMs) => waitFor(pattern, timeoutMs),
          close: () =>
            new Promise((done) => {
              if (socket.destroyed) return done();
              socket.once("close", () => done());
              socket.end("</stream:stream>");
              setTimeout(() => socket.destroy(), 1000).unref();
            }),
        });
      } catch (err) {
        socket.destroy();
        reject(err as Error);
      }
    });
  });
}
