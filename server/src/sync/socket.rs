//! `GET /api/sync?token=…`: checks the token, upgrades to a WebSocket and
//! hands the socket, as a sink and a stream of [`Frame`]s, to
//! [`Relay::serve`].

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt, future};
use serde::Deserialize;

use super::{Frame, Relay, StreamError};
use crate::AppState;
use crate::auth;
use crate::error::ApiError;

/// The query of the sync endpoint: browsers cannot set headers on a
/// WebSocket, so the session token comes here.
#[derive(Debug, Deserialize)]
pub struct SyncQuery {
    token: Option<String>,
}

/// `GET /api/sync?token=…`: a missing, forged or expired token is refused
/// with 401 before the upgrade.
pub async fn endpoint(
    State(state): State<AppState>,
    Query(query): Query<SyncQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Some(token) = query.token.filter(|t| !t.is_empty()) else {
        return ApiError::Unauthorized.into_response();
    };
    let user = match auth::user_of_token(&state.store, &token, state.clock.now_ms()) {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let relay = Relay::new(&state);
    let limit = relay.max_frame();
    upgrade
        .max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket: WebSocket| async move {
            let (sink, stream) = socket.split();
            let sink = sink.with(|frame| future::ready(Ok::<_, axum::Error>(to_socket(frame))));
            let stream = stream.filter_map(|item| future::ready(from_socket(item)));
            relay
                .serve_session(user, Some(token), Box::pin(sink), Box::pin(stream))
                .await;
        })
}

fn to_socket(frame: Frame) -> WsMessage {
    match frame {
        Frame::Binary(bytes) => WsMessage::Binary(bytes.into()),
        Frame::Text(text) => WsMessage::Text(text.into()),
        Frame::Close { code, reason } => WsMessage::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })),
    }
}

fn from_socket(item: Result<WsMessage, axum::Error>) -> Option<Result<Frame, StreamError>> {
    Some(match item {
        Ok(WsMessage::Binary(bytes)) => Ok(Frame::Binary(bytes.to_vec())),
        Ok(WsMessage::Text(text)) => Ok(Frame::Text(text.to_string())),
        Ok(WsMessage::Close(close)) => Ok(Frame::Close {
            code: close.as_ref().map_or(1005, |c| c.code),
            reason: close.map(|c| c.reason.to_string()).unwrap_or_default(),
        }),
        // The socket answers pings by itself.
        Ok(WsMessage::Ping(_) | WsMessage::Pong(_)) => return None,
        Err(e) => {
            let inner = e.into_inner();
            match inner.downcast_ref::<tungstenite::Error>() {
                Some(tungstenite::Error::Capacity(_)) => Err(StreamError::TooLarge),
                _ => Err(StreamError::Broken(inner.to_string())),
            }
        }
    })
}
