import { z } from "zod";
import { zText } from "@/lib/validation/text";
import { ZPassword } from "@/lib/orgs/schemas";

export const ZChangePasswordInput = z
  .object({
    currentPassword: zText().min(1, "Enter your current password.").max(1024),
    newPassword: ZPassword,
  })
  .refine((v) => v.currentPassword !== v.newPassword, {
    path: ["newPassword"],
    message: "Choose a password different from the current one.",
  });
