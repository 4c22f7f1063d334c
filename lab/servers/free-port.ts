import { createSocket } from "node:dgram";
import { createServer } from "node:net";

export const LOOPBACK = "127.0.0.1";

function bindTcp(port: number): Promise<{ port: number; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        reject(new Error("no TCP address"));
        return;
      }
      resolve({ port: address.port, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

function bindUdp(port: number): Promise<{ port: number; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    socket.once("error", reject);
    socket.bind({ port, address: LOOPBACK, exclusive: true }, () => {
      resolve({ port: socket.address().port, close: () => new Promise((r) => socket.close(() => r())) });
    });
  });
}

export interface FreePortOptions {
  /** Also require the same port number free for UDP (SIP servers listen on both). */
  udp?: boolean;
  /** How many consecutive ports must be free, starting at the returned one (baresip takes port+1 for TLS). */
  count?: number;
}

/**
 * A port free on 127.0.0.1 at the time of the call: the kernel picks one for TCP (port 0),
 * then the same number is checked for UDP and for the following ports when asked.
 */
export async function freePort(options: FreePortOptions = {}): Promise<number> {
  const count = options.count ?? 1;
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await bindTcp(0);
    const held = [first];
    try {
      for (let i = 0; i < count; i++) {
        if (i > 0) held.push(await bindTcp(first.port + i));
        if (options.udp) held.push(await bindUdp(first.port + i));
      }
      return first.port;
    } catch {
      // taken on the other protocol or the next port: try another number
    } finally {
      await Promise.all(held.map((h) => h.close()));
    }
  }
  throw new Error(`no free loopback port (count=${count}, udp=${options.udp === true})`);
}

/** Several distinct free ports at once (each checked while the others are still unknown to the kernel). */
export async function freePorts(n: number, options: FreePortOptions = {}): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) {
    const port = await freePort(options);
    const span = options.count ?? 1;
    const clash = ports.some((p) => Math.abs(p - port) < span);
    if (!clash) ports.push(port);
  }
  return ports;
}
