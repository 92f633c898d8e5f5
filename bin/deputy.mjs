#!/usr/bin/env node
// The `deputy` command: TypeScript run through tsx (a dependency), resolved next to this file so
// it works from a checkout (npx deputy), a global install, or a pipeline.
import { register } from "tsx/esm/api";

register();
await import("../cli/main.ts");
