// The console on a phone (issue 21): at 390 px no page scrolls the whole document sideways, the
// top bar stays one line, wide tables scroll inside their frame with the first column in view,
// dialogs fit, and axe still finds 0 serious issues. With DEPUTY_SCREENSHOTS=<dir> the same walk
// saves every page at 390 px and at 1280 px (the README's pictures come from it).
import fs from "node:fs";
import path from "node:path";
import { expect, signIn, test, unique, type Page } from "./fixtures";
import { expectAccessible } from "./support/axe";

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const SHOTS = process.env.DEPUTY_SCREENSHOTS;

async function screenshot(page: Page, name: string) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({
    path: path.join(SHOTS, `${name}-${page.viewportSize()!.width}.png`),
    fullPage: true,
  });
}

/** The elements wider than the window, for a failure that says what to fix. */
async function sidewaysScroll(page: Page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth <= width) return null;
    // Elements, and the parents of text that runs past its box (a long unbroken word).
    const wide: Element[] = [...document.querySelectorAll("body *")].filter(
      (el) => el.getBoundingClientRect().right > width + 1,
    );
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || getComputedStyle(parent).overflowX !== "visible") continue;
      range.selectNodeContents(node);
      if (range.getBoundingClientRect().right > width + 1) wide.push(parent);
    }
    // Content inside a scrolling frame that fits the window is fine, unless it is positioned
    // out of the frame (an absolutely placed label whose containing block is the page: the
    // sr-only "Actions" header once widened every table page to 560 px this way).
    const escapes = (el: Element) => {
      const position = getComputedStyle(el).position;
      if (position !== "absolute" && position !== "fixed") return false;
      const contained = (el as HTMLElement).offsetParent;
      return !contained || contained === document.body;
    };
    const culprits = [...new Set(wide)]
      .filter((el) => {
        if (escapes(el)) return true;
        for (let up = el.parentElement; up; up = up.parentElement) {
          if (getComputedStyle(up).overflowX !== "visible") {
            return up.getBoundingClientRect().right > width + 1;
          }
        }
        return true;
      })
      .slice(0, 8)
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} "${(el.textContent ?? "").slice(0, 40)}"`,
      );
    return { scrollWidth: document.documentElement.scrollWidth, width, culprits };
  });
}

async function checkNarrow(page: Page, where: string) {
  expect(await sidewaysScroll(page), `${where} scrolls sideways at 390 px`).toBeNull();
  const bar = await page.locator("header").first().boundingBox();
  expect(bar!.height, `${where}: the top bar is one line`).toBeLessThanOrEqual(64);
  await expectAccessible(page, `${where} at 390 px`);
}

async function visit(page: Page, route: string) {
  await page.goto(route);
  await page.waitForLoadState("networkidle");
  const name = route.replace(/^\//, "").replaceAll("/", "_") || "home";
  await checkNarrow(page, route);
  await screenshot(page, name);
  if (SHOTS) {
    await page.setViewportSize(DESKTOP);
    await screenshot(page, name);
    await page.setViewportSize(PHONE);
  }
}

test.describe("[NARROW]", () => {
  test.use({ viewport: PHONE });

  test("[NARROW] no page scrolls sideways at 390 px, the top bar is one line, axe passes", async ({
    page,
  }) => {
    test.setTimeout(180_000);
    await page.goto("/login");
    await checkNarrow(page, "/login");
    await screenshot(page, "login");
    await signIn(page, "org-admin@acme.test");
    for (const route of [
      "/org/acme",
      "/org/acme/teams",
      "/org/acme/service-accounts",
      "/org/acme/identity-providers",
      "/org/acme/webhooks",
      "/org/acme/audit-log",
      "/org/acme/settings",
      "/ml-team",
      "/ml-team/service-accounts",
      "/ml-team/settings",
      "/ml-team/settings/projects",
      "/ml-team/projects/production-models",
      "/account",
      "/account/password",
    ]) {
      await visit(page, route);
    }
  });

  test("[NARROW] the menus of the top bar, a wide table and the dialogs work at 390 px", async ({ page }) => {
    await signIn(page, "org-admin@acme.test");
    await page.goto("/org/acme/service-accounts");

    // The switcher and the account collapse into menus that open and lead somewhere.
    await page.getByRole("button", { name: /Switch organization or team/ }).click();
    await expect(page.getByRole("menuitem", { name: "Org Dashboard" }).first()).toBeVisible();
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Account menu" }).click();
    await expect(page.getByRole("menuitem", { name: "org-admin@acme.test" })).toBeVisible();
    await expect(page.getByRole("menuitem", { name: "Sign out" })).toBeVisible();
    await page.keyboard.press("Escape");

    // A dialog fits the width and its buttons can be reached.
    await page.getByRole("button", { name: "New service account" }).click();
    const dialog = page.getByRole("dialog", { name: "New service account" });
    const box = (await dialog.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page, "New service account dialog at 390 px");
    await screenshot(page, "new-service-account-dialog");
    const name = `phone-${unique()}`;
    await dialog.getByLabel("Name", { exact: true }).fill(name);
    await dialog.getByLabel("Default team").selectOption("ml-team");
    await dialog.getByRole("button", { name: "Create" }).scrollIntoViewIfNeeded();
    await dialog.getByRole("button", { name: "Create" }).click();
    await dialog.getByRole("button", { name: "Create API key" }).click();
    const keyForm = page.getByRole("dialog", { name: "Create API key" });
    await keyForm.getByLabel("API key name").fill("phone");
    await expectAccessible(page, "Create API key dialog at 390 px");
    await screenshot(page, "create-api-key-dialog");
    await keyForm.getByRole("button", { name: "Create" }).click();
    const reveal = page.getByRole("dialog", { name: "Copy your API key" });
    await expect(reveal.getByLabel("API key")).toBeVisible();
    const revealBox = (await reveal.boundingBox())!;
    expect(revealBox.x + revealBox.width).toBeLessThanOrEqual(PHONE.width);
    expect(await sidewaysScroll(page)).toBeNull();
    await screenshot(page, "key-reveal-dialog");
    await reveal.getByRole("button", { name: "Done" }).click();
    await expect(reveal).toBeHidden();

    // The service accounts table (the new account heads it) is wider than the phone: it scrolls
    // in its frame, and its first column (the names) stays where it is while the rest moves.
    const table = page.getByRole("table", { name: "Service accounts" });
    const frame = table.locator("xpath=..");
    const firstCell = table.locator("tbody tr").first().locator("td").first();
    const secondCell = table.locator("tbody tr").first().locator("td").nth(1);
    const before = { first: (await firstCell.boundingBox())!.x, second: (await secondCell.boundingBox())!.x };
    expect(await frame.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await frame.evaluate((el) => el.scrollBy({ left: 200 }));
    await expect.poll(async () => (await secondCell.boundingBox())!.x).toBeLessThan(before.second - 100);
    expect((await firstCell.boundingBox())!.x).toBe(before.first);

    // The account page with its keys and recent activity, as sentences.
    await page.goto(`/org/acme/service-accounts/${name}`);
    await checkNarrow(page, "account page");
    await screenshot(page, "account-page");
    if (SHOTS) {
      // The README's pictures of pages with something on them, at the desktop width too.
      await page.setViewportSize(DESKTOP);
      await screenshot(page, "account-page");
      for (const [route, shot] of [
        ["/org/acme/service-accounts", "service-accounts-list"],
        ["/org/acme/audit-log", "audit-log-events"],
      ] as const) {
        await page.goto(route);
        await page.waitForLoadState("networkidle");
        await screenshot(page, shot);
        await page.setViewportSize(PHONE);
        await screenshot(page, shot);
        await page.setViewportSize(DESKTOP);
      }
    }
  });
});
