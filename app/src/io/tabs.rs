//! The other tabs of this browser: the only module that touches the
//! `BroadcastChannel`. The tabs of one user share one channel
//! (`kartoteka-<user id>`); a tab that committed a write of its own tells
//! the others which document changed, and they read it again from
//! IndexedDB (the channel carries ids, never data: what a tab shows still
//! comes from the disk). A tab does not hear its own messages.

use futures::channel::mpsc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BroadcastChannel, MessageEvent};

/// What one tab tells the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TabNews {
    /// This client (or potential client) document was written.
    Client(String),
    /// The workspace document was written.
    Workspace,
    /// The relay said the user may no longer read this client
    /// (`kt-parted`), and this tab took it in.
    Parted(String),
}

const CLIENT: &str = "client:";
const PARTED: &str = "parted:";
const WORKSPACE: &str = "workspace";

impl TabNews {
    fn encode(&self) -> String {
        match self {
            TabNews::Client(id) => format!("{CLIENT}{id}"),
            TabNews::Workspace => WORKSPACE.to_owned(),
            TabNews::Parted(id) => format!("{PARTED}{id}"),
        }
    }

    fn decode(text: &str) -> Option<TabNews> {
        if text == WORKSPACE {
            return Some(TabNews::Workspace);
        }
        if let Some(id) = text.strip_prefix(PARTED).filter(|id| !id.is_empty()) {
            return Some(TabNews::Parted(id.to_owned()));
        }
        text.strip_prefix(CLIENT)
            .filter(|id| !id.is_empty())
            .map(|id| TabNews::Client(id.to_owned()))
    }
}

/// This tab's end of the channel; closed when dropped (the news stream
/// then ends).
pub struct Tabs {
    channel: BroadcastChannel,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl std::fmt::Debug for Tabs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tabs")
            .field("channel", &self.channel.name())
            .finish()
    }
}

/// Joins the channel of `user_id`'s tabs. What the other tabs say arrives
/// on the returned stream.
pub fn open(user_id: &str) -> Result<(Tabs, mpsc::UnboundedReceiver<TabNews>), String> {
    let channel =
        BroadcastChannel::new(&format!("kartoteka-{user_id}")).map_err(|e| format!("{e:?}"))?;
    let (tx, rx) = mpsc::unbounded();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        // Anything else on the channel (another version's message) is
        // not for this tab.
        if let Some(news) = e.data().as_string().as_deref().and_then(TabNews::decode) {
            let _ = tx.unbounded_send(news);
        }
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    Ok((
        Tabs {
            channel,
            _on_message: on_message,
        },
        rx,
    ))
}

impl Tabs {
    /// Tells the other tabs (a closed channel tells no one).
    pub fn tell(&self, news: &TabNews) {
        let _ = self
            .channel
            .post_message(&wasm_bindgen::JsValue::from_str(&news.encode()));
    }
}

impl Drop for Tabs {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn news_reads_back_as_written() {
        for news in [
            TabNews::Client("abc".into()),
            TabNews::Workspace,
            TabNews::Parted("abc".into()),
        ] {
            assert_eq!(TabNews::decode(&news.encode()), Some(news));
        }
        assert_eq!(TabNews::decode("client:"), None);
        assert_eq!(TabNews::decode("hello"), None);
    }
}
