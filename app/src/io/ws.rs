//! The WebSocket to the relay's sync endpoint: the only module that
//! touches the socket. Frames are binary; what arrives (and the close)
//! comes out of a channel, so the sync client reads it as a stream.

use futures::channel::mpsc;
use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

/// What happened on the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The connection is open.
    Open,
    /// A binary frame arrived.
    Frame(Vec<u8>),
    /// The connection is gone (or never opened: a refused upgrade, such
    /// as an expired token, looks the same to a browser). `opened` says
    /// whether it was ever open.
    /// `reason` is the close frame's reason, empty if none.
    Closed {
        code: u16,
        reason: String,
        opened: bool,
    },
}

/// An open (or opening) socket; closed when dropped.
pub struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket")
            .field("url", &self.ws.url())
            .finish()
    }
}

/// The sync endpoint of the relay that served the app, with the token.
fn sync_url(token: &str) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = match location.protocol().ok()?.as_str() {
        "https:" => "wss",
        _ => "ws",
    };
    let host = location.host().ok()?;
    let token = String::from(js_sys::encode_uri_component(token));
    Some(format!("{scheme}://{host}/api/sync?token={token}"))
}

/// Opens the sync socket with the session token. Events arrive on the
/// returned channel; it ends after [`Event::Closed`].
pub fn connect(token: &str) -> Result<(Socket, mpsc::UnboundedReceiver<Event>), String> {
    let url = sync_url(token).ok_or("no page location")?;
    let ws = WebSocket::new(&url).map_err(|e| format!("{e:?}"))?;
    ws.set_binary_type(BinaryType::Arraybuffer);
    let (tx, rx) = mpsc::unbounded();
    let opened = std::rc::Rc::new(std::cell::Cell::new(false));

    let on_open = {
        let tx = tx.clone();
        let opened = opened.clone();
        Closure::<dyn FnMut()>::new(move || {
            opened.set(true);
            let _ = tx.unbounded_send(Event::Open);
        })
    };
    let on_message = {
        let tx = tx.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            // Text frames are not part of the protocol: ignored here, as
            // the relay never sends them.
            if let Ok(buffer) = e.data().dyn_into::<ArrayBuffer>() {
                let _ = tx.unbounded_send(Event::Frame(Uint8Array::new(&buffer).to_vec()));
            }
        })
    };
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
        let _ = tx.unbounded_send(Event::Closed {
            code: e.code(),
            reason: e.reason(),
            opened: opened.get(),
        });
        tx.close_channel();
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    Ok((
        Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        },
        rx,
    ))
}

impl Socket {
    /// Sends one binary frame; false if the socket is not open.
    pub fn send(&self, frame: &[u8]) -> bool {
        self.ws.send_with_u8_array(frame).is_ok()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}
