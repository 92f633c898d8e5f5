// deputy login | logout | profiles: named profiles of a host and a credential (cli/profiles.ts).
// The API key is read from standard input (piped, or typed at a prompt that does not echo it),
// never from an argument: arguments are visible to every user of the machine in `ps`.
import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { createClient } from "../client";
import type { CliContext } from "../context";
import { DEFAULT_HOST } from "../context";
import { exchangedToken, UsageError } from "../identity-token";
import { jsonNoContentOption, jsonOption } from "../options";
import { json, table } from "../output";
import {
  checkProfileName,
  DEFAULT_PROFILE,
  profilesFile,
  readProfiles,
  removeProfile,
  saveProfile,
  type Profile,
} from "../profiles";

/** Reads a secret: all of stdin when piped, else one line typed at a prompt without echo. */
async function readSecret(prompt: string, stderr: { write(s: string): unknown }): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = "";
    for await (const chunk of stdin) text += String(chunk);
    return text.trim();
  }
  stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  return new Promise((resolve, reject) => {
    let typed = "";
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      stderr.write("\n");
      if (error) reject(error);
      else resolve(typed.trim());
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n") return done();
        if (char === "\u0003") return done(new UsageError("Cancelled."));
        if (char === "\u007f" || char === "\b") typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on("data", onData);
    stdin.resume();
  });
}

export function registerLoginCommands(program: Command, { io, env }: CliContext): void {
  program
    .command("login")
    .description(
      "Save a host and a credential as a profile (the API key is read from stdin or a prompt; DEPUTY_PROFILE selects a profile, environment variables win over it)",
    )
    .option("--profile <name>", "the profile's name", DEFAULT_PROFILE)
    .option("--host <url>", `where Deputy answers (default DEPUTY_HOST, else ${DEFAULT_HOST})`)
    .option(
      "--identity-token-file <path>",
      "use the workload JWT in this file (exchanged on every use) instead of an API key",
    )
    .addOption(jsonOption())
    .action(
      async (options: { profile: string; host?: string; identityTokenFile?: string; json?: boolean }) => {
        const name = checkProfileName(options.profile);
        const host = (options.host ?? env.DEPUTY_HOST ?? DEFAULT_HOST).trim().replace(/\/+$/, "");
        if (!/^https?:\/\/[^\s/]+/.test(host)) {
          throw new UsageError(`--host must be a URL such as https://deputy.example.com, not "${host}".`);
        }
        let profile: Profile;
        let token: string;
        if (options.identityTokenFile) {
          const file = path.resolve(options.identityTokenFile);
          if (!fs.existsSync(file)) throw new UsageError(`${file} does not exist.`);
          token = (await exchangedToken(host, { ...env, DEPUTY_IDENTITY_TOKEN_FILE: file }, { fresh: true }))
            .token;
          profile = { host, identityTokenFile: file };
        } else {
          token = await readSecret("API key (input hidden): ", io.stderr);
          if (!token)
            throw new UsageError("No API key given: pipe it in (deputy login < key-file) or type it.");
          profile = { host, apiKey: token };
        }
        // Saved only once Deputy accepts it: a typo is found now, not in tomorrow's nightly job.
        const viewer = await createClient({ host, token, userAgent: "deputy-cli" }).getViewer();
        const file = saveProfile(env, name, profile);
        if (options.json) return json(io.stdout, { profile: name, host, file, principal: viewer.principal });
        io.stdout.write(
          `Logged in to ${host} as ${viewer.principal.identity}. Saved as profile "${name}" in ${file}.\n`,
        );
      },
    );

  program
    .command("logout")
    .description("Remove a saved profile (its key stays valid: revoke it in the console if it leaked)")
    .option("--profile <name>", "the profile's name", DEFAULT_PROFILE)
    .addOption(jsonNoContentOption())
    .action((options: { profile: string; json?: boolean }) => {
      if (!removeProfile(env, checkProfileName(options.profile))) {
        throw new UsageError(`There is no profile named "${options.profile}".`);
      }
      if (options.json) return;
      io.stdout.write(`Removed profile "${options.profile}".\n`);
    });

  program
    .command("profiles")
    .description("List the saved profiles (never their keys)")
    .addOption(jsonOption())
    .action((options: { json?: boolean }) => {
      const { profiles } = readProfiles(env);
      const rows = Object.entries(profiles).map(([name, p]) => ({
        name,
        host: p.host,
        credential: p.apiKey ? `API key …${p.apiKey.slice(-4)}` : `identity token ${p.identityTokenFile}`,
        selected: (env.DEPUTY_PROFILE?.trim() || DEFAULT_PROFILE) === name,
      }));
      if (options.json) return json(io.stdout, rows);
      table(
        io.stdout,
        ["", "PROFILE", "HOST", "CREDENTIAL"],
        rows.map((r) => [r.selected ? "*" : "", r.name, r.host, r.credential]),
        `No saved profiles (${profilesFile(env) ?? "no home directory"}): deputy login.`,
      );
    });
}
