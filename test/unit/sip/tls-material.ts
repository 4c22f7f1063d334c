/** A self-signed certificate for localhost / 127.0.0.1, made at test time with the openssl CLI. */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  cleanup(): Promise<void>;
}

export async function makeTlsMaterial(): Promise<TlsMaterial> {
  const dir = await mkdtemp(join(tmpdir(), "sip-tls-"));
  const keyPath = join(dir, "key.pem");
  const certPath = join(dir, "cert.pem");
  await promisify(execFile)("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "-days", "1", "-keyout", keyPath, "-out", certPath,
  ]);
  return {
    cert: await readFile(certPath),
    key: await readFile(keyPath),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
