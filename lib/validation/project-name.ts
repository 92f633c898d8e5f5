import { z } from "zod";

/** A project's name (unique within its team): what paths and "<team>/<project>" carry. */
export const ZProjectName = z
  .string()
  .trim()
  .min(1, "Enter a project name.")
  .max(64, "Use at most 64 characters.")
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    "Use letters, digits, dots, dashes and underscores, starting with a letter or digit.",
  );
