import type { Locator, Page } from "playwright-core";

/**
 * What is wrong with the layout inside `container` (a list of findings, empty when all is well):
 * the container scrolls sideways; an element sticks out of it; or an element's content is wider
 * or taller than its box, which is how clipped or spilled text shows.
 */
export function layoutProblems(container: Locator): Promise<string[]> {
  // No named functions inside: the test's TypeScript loader would wrap them in a helper the page lacks.
  return container.evaluate((root) => {
    const problems: string[] = [];
    const box = root.getBoundingClientRect();
    if (root.scrollWidth > root.clientWidth + 1) {
      problems.push(`${root.tagName} scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
    }
    for (const element of root.querySelectorAll("*")) {
      if (!(element instanceof HTMLElement) || element.getClientRects().length === 0) continue;
      if (getComputedStyle(element).visibility === "hidden") continue;
      const what = `${element.tagName.toLowerCase()}.${element.className} “${element.textContent?.trim().slice(0, 40)}”`;
      const rect = element.getBoundingClientRect();
      if (rect.left < box.left - 1 || rect.right > box.right + 1) {
        problems.push(`${what} sticks out: ${rect.left}–${rect.right} outside ${box.left}–${box.right}`);
      }
      if (element.clientWidth > 0 && element.scrollWidth > element.clientWidth + 1) {
        problems.push(`${what} is too narrow for its text: ${element.scrollWidth} > ${element.clientWidth}`);
      }
      if (element.clientHeight > 0 && element.scrollHeight > element.clientHeight + 1) {
        problems.push(`${what} is too short for its text: ${element.scrollHeight} > ${element.clientHeight}`);
      }
    }
    return problems;
  });
}

/** Whether the page itself scrolls sideways (its content wider than the viewport). */
export function pageScrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

/** The horizontal centre of what `locator` finds. */
export async function centreX(locator: Locator): Promise<number> {
  const box = await locator.boundingBox();
  if (!box) throw new Error("not on screen");
  return box.x + box.width / 2;
}
