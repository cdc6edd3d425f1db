// One contender in the cross-process race of sqlite.test.ts: its own process and connection to the shared file.
import { SqliteStore } from "../../src/store/sqlite.ts";

const [filename = "", liveAtText = "0", idList = "", offsetText = "0"] = process.argv.slice(2);
const liveAt = Number(liveAtText);
const all = idList.split(",");
// Each contender starts at its own place in the list, so that one started late still meets the others.
const offset = Number(offsetText) % all.length;
const ids = [...all.slice(offset), ...all.slice(0, offset)];
const store = new SqliteStore({ filename });
process.once("message", async (startAt) => {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
  const won: string[] = [];
  for (const id of ids) {
    const result = await store.transition(id, { from: ["approved"], liveAt }, { state: "redeemed", updatedAt: liveAt });
    if (result) won.push(id);
    // A pause between statements lets the others in: a process that met the write lock sleeps in
    // SQLite's busy handler, and on an idle machine the first one would otherwise finish them all.
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await store.close();
  process.send?.(won, () => process.exit(0));
});
process.send?.("ready");
