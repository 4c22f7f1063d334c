import { loadTable, type MappingTable } from "../mapping/index.js";
import { type BridgeError, type Result } from "../errors.js";
import { UsageError } from "./io.js";

/** `--mapping FILE` or `--profile NAME` (default: the `default` profile). */
export function tableFromOptions(values: { mapping?: unknown; profile?: unknown }): Result<MappingTable, readonly BridgeError[]> {
  if (values.mapping !== undefined && values.profile !== undefined) {
    throw new UsageError("give either --mapping FILE or --profile NAME, not both");
  }
  if (typeof values.mapping === "string") return loadTable({ file: values.mapping });
  return loadTable({ profile: typeof values.profile === "string" ? values.profile : "default" });
}
