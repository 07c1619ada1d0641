//! A stock JavaScript automerge-repo client (the npm packages in `tests/js`,
//! run with the machine's Node.js) syncs with the relay binary: it reads a
//! document its user may read, its change reaches the relay's store, and a
//! document its user may not read is unavailable to it.
#![allow(clippy::unwrap_used)]

mod sync_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use kartoteka::client::ClientDoc;
use kartoteka::ids::{UserId, actor_for, user_of_actor};
use kartoteka::sync::DocumentId;
use sync_support::*;

/// The folder of the JavaScript check and its npm packages.
fn js_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/js")
}

/// Node.js: `KARTOTEKA_NODE`, else `/usr/bin/node`, else `node` on the PATH.
fn node() -> PathBuf {
    if let Some(node) = std::env::var_os("KARTOTEKA_NODE") {
        return node.into();
    }
    let usr = PathBuf::from("/usr/bin/node");
    if usr.exists() { usr } else { "node".into() }
}

/// Fails with what to do when the npm packages are not installed.
fn require_packages() {
    let modules = js_dir().join("node_modules/@automerge");
    for package in [
        "automerge",
        "automerge-repo",
        "automerge-repo-network-websocket",
    ] {
        assert!(
            modules.join(package).join("package.json").exists(),
            "the npm package @automerge/{package} is missing from tests/js/node_modules: \
             run `npm ci --prefix tests/js` (scripts/test.sh does) and test again"
        );
    }
}

async fn login_as(relay: &RelayProcess, login: &str) -> Result<(String, UserId)> {
    let answer = sync_support::login_as(relay.addr, login).await?;
    Ok((answer.token, answer.user.id))
}

/// Every document a user's device is given, over a real WebSocket.
async fn readable(relay: &RelayProcess, token: &str, user: &UserId) -> Result<Client> {
    let mut client = Client::new(Device::new(user, 9), Link::socket(relay.addr, token).await?);
    client.connect().await?;
    // Until it has every document it was told about (a quiet pause alone
    // is not enough on a busy machine).
    pump_until(&mut [&mut client], |c| {
        let d = &c[0].device;
        d.cursor > 0 && d.changed.iter().all(|id| d.docs.contains_key(id))
    })
    .await?;
    pump(&mut [&mut client]).await?;
    Ok(client)
}

fn client_of(doc: &automerge::AutoCommit) -> Option<ClientDoc> {
    autosurgeon::hydrate(doc).ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stock_automerge_repo_client_syncs_a_document_it_may_read() -> Result {
    require_packages();
    let data = TempDir::new("sync-js-data");
    let dist = TempDir::new("sync-js-dist");
    let mut relay = RelayProcess::start(data.path(), dist.path(), 30).await?;
    let (token, petrov) = login_as(&relay, "petrov").await?;
    let (supervisor_token, orlova) = login_as(&relay, "orlova").await?;

    // What Petrov may read, and one client he may not (the supervisor
    // reads every client).
    let mine = readable(&relay, &token, &petrov).await?;
    let all = readable(&relay, &supervisor_token, &orlova).await?;
    let (&id, card) = mine
        .device
        .docs
        .iter()
        .filter_map(|(id, doc)| Some((id, client_of(doc)?)))
        .find(|(_, c)| c.responsible() == Some(&petrov))
        .expect("the demo gives Petrov clients");
    let forbidden: DocumentId = *all
        .device
        .docs
        .keys()
        .find(|id| !mine.device.docs.contains_key(id))
        .expect("some client is not Petrov's");
    drop((mine, all));

    let actor = actor_for(&petrov, [0x4a; 8]).unwrap();
    let website = "js-client.example";
    let url = format!("ws://{}/api/sync?token={token}", relay.addr);
    let output = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new(node())
            .current_dir(js_dir())
            .arg("sync-check.mjs")
            .args([&url, &id.url(), &forbidden.url()])
            .arg(actor.to_hex_string())
            .arg(website)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .map_err(|_| "the JavaScript client did not finish in 60 s")?
    .map_err(|e| format!("cannot run {}: {e}", node().display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the JavaScript client failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let said = |key: &str| {
        lines
            .iter()
            .find_map(|l| l.get(key).cloned())
            .unwrap_or_else(|| panic!("the JavaScript client did not say {key}:\n{stdout}"))
    };
    assert_eq!(said("name"), card.card.name.as_str(), "it read the card");
    assert_eq!(said("second_client_website"), website);
    assert_eq!(said("unreadable_is_unavailable"), true);

    // The change is in the relay's store: killed with no shutdown and the
    // data folder opened again, the document has it, signed by Petrov.
    relay.kill()?;
    let store = kartoteka_server::store::testing::at(data.path())?;
    let bytes = store.doc(&id.uuid().to_string())?.unwrap();
    let doc = automerge::Automerge::load(&bytes)?;
    let stored: ClientDoc = autosurgeon::hydrate(&doc)?;
    assert_eq!(stored.card.website, website);
    let signed = doc.get_changes(&[]).iter().any(|c| c.actor_id() == &actor);
    assert!(signed, "the JavaScript client's change is stored");
    assert_eq!(user_of_actor(&actor), Some(petrov));
    Ok(())
}
