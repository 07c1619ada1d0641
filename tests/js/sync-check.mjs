// A stock automerge-repo client against the Kartoteka relay, run by
// server/tests/sync_js.rs:
//
//   node sync-check.mjs <ws url with token> <readable doc url> <unreadable doc url> <actor hex> <website>
//
// It finds a readable client document and prints its card's name, changes
// the card's website (as an actor of the logged-in user, which the relay
// requires), waits until a second, separate client of the same user gets
// the change back from the relay, and checks that a document the user may
// not read is unavailable. Each result is one JSON line on stdout; any
// failure is one {"error": ...} line and exit code 1.

import { ImmutableString, Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import * as A from "@automerge/automerge";

const [url, readable, unreadable, actor, website] = process.argv.slice(2);
if (!website) {
  console.log(JSON.stringify({ error: "usage: sync-check.mjs URL READABLE UNREADABLE ACTOR WEBSITE" }));
  process.exit(2);
}

const say = (what) => console.log(JSON.stringify(what));

const within = (ms, what, promise) =>
  Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)),
  ]);

// No storage: an ephemeral peer, as a browser tab without IndexedDB would be.
const client = () => new Repo({ network: [new WebSocketClientAdapter(url)] });

try {
  const first = client();
  const handle = await within(10000, "find the readable document", first.find(readable));
  say({ name: String(handle.doc().card.name) });

  // The relay keeps only changes signed by one of the user's devices: the
  // actor is the user's UUID bytes followed by 8 device bytes.
  handle.update((doc) => A.clone(doc, { actor }));
  // Kartoteka's strings are plain values, not collaborative text (which
  // Automerge 3 makes of an assigned JS string): the relay refuses a card
  // whose fields it cannot read.
  handle.change((doc) => {
    doc.card.website = new ImmutableString(website);
  });
  say({ changed: website, heads: handle.heads() });

  // A second client gets the change from the relay, which sends nothing
  // before it has stored it.
  const second = client();
  const echo = await within(10000, "find it from a second client", second.find(readable));
  const seen = await within(
    10000,
    "the change reaching the second client",
    new Promise((resolve) => {
      const check = () => {
        const seen = String(echo.doc().card.website);
        if (seen === website) resolve(seen);
      };
      echo.on("change", check);
      check();
    }),
  );
  say({ second_client_website: seen });

  let unavailable;
  try {
    await within(10000, "find the unreadable document", first.find(unreadable));
    unavailable = false;
  } catch (e) {
    if (!/unavailable/.test(String(e))) throw e;
    unavailable = true;
  }
  say({ unreadable_is_unavailable: unavailable });
  process.exit(0);
} catch (e) {
  say({ error: String(e && e.stack ? e.stack : e) });
  process.exit(1);
}
