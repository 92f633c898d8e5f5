import { z } from "zod";
import { ZPassword } from "@/lib/orgs/schemas";

export const ZChangePasswordInput = z
  .object({
    currentPassword: z.string().min(1, "Enter your current password.").max(1024),
    newPassword: ZPassword,
  })
  .refine((v) => v.currentPassword !== v.newPassword, {
    path: ["newPassword"],
    message: "Choose a password different from the current one.",
  });
