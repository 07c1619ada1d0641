#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::*;
use crate::ids::ClientId;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn document_ids_read_and_write_as_automerge_repo_does() {
    // Vectors from automerge-repo's bs58check over the UUID's bytes.
    for (uuid, text) in [
        (
            "67e55044-10b1-426f-9247-bb680e5fe0c8",
            "2SxCQLg2PDxB4sT4N9SVpjHBQ7C3",
        ),
        (
            "00000000-0000-0000-0000-000000000000",
            "11111111111111114Ki9Gx",
        ),
        (
            "00000000-0000-4000-8000-000000000001",
            "111111QXhYZza3GqLStUTDuSY",
        ),
    ] {
        let client: ClientId = uuid.parse().unwrap();
        let id = DocumentId::try_from(&client).unwrap();
        assert_eq!(id.to_string(), text);
        assert_eq!(text.parse::<DocumentId>(), Ok(id));
        assert_eq!(ClientId::from(id), client);
        assert_eq!(DocumentId::from_url(&id.url()), Ok(id));
    }
}

#[test]
fn mistyped_document_ids_are_refused() {
    let good = "2SxCQLg2PDxB4sT4N9SVpjHBQ7C3";
    let typo = good.replace('Q', "R");
    assert_eq!(
        typo.parse::<DocumentId>(),
        Err(DocumentIdError::BadChecksum)
    );
    assert_eq!(
        "2SxCQLg2PDxB0sT4".parse::<DocumentId>(),
        Err(DocumentIdError::NotBase58('0'))
    );
    assert_eq!("".parse::<DocumentId>(), Err(DocumentIdError::BadChecksum));
    let short = base58check_encode(&[1, 2, 3]);
    assert_eq!(
        short.parse::<DocumentId>(),
        Err(DocumentIdError::WrongLength(3))
    );
    assert_eq!(DocumentId::from_url(good), Err(DocumentIdError::NotAUrl));
    assert!(DocumentId::try_from(&ClientId("not a uuid".into())).is_err());
}

#[test]
fn frames_written_by_the_stock_javascript_client_decode() {
    // cbor-x as automerge-repo configures it: `undefined` for an absent
    // storage id, 16-bit map lengths, a float for a number past 32 bits.
    let join = hex(
        "b900046474797065646a6f696e6873656e646572496466706565722d786c706565724d65746164617461b900026973746f726167654964f76b6973457068656d6572616cf57819737570706f7274656450726f746f636f6c56657273696f6e73816131",
    );
    assert_eq!(
        decode(&join, DEFAULT_MAX_FRAME),
        Ok(Message::Join {
            sender_id: PeerId::from("peer-x"),
            peer_metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: true
            },
            supported_protocol_versions: vec!["1".into()],
        })
    );
    let hello = hex(
        "b900046474797065686b742d68656c6c6f6873656e64657249646161687461726765744964616266637572736f72fb427a20038017b000",
    );
    assert_eq!(
        decode(&hello, DEFAULT_MAX_FRAME),
        Ok(Message::KtHello {
            sender_id: PeerId::from("a"),
            target_id: PeerId::from("b"),
            cursor: 1_795_300_000_123,
        })
    );
    let sync = hex(
        "b9000564747970656473796e636873656e6465724964616168746172676574496461626a646f63756d656e744964781c32537843514c673250447842347354344e395356706a484251374333646461746143010203",
    );
    let Ok(Message::Sync {
        document_id, data, ..
    }) = decode(&sync, DEFAULT_MAX_FRAME)
    else {
        panic!("a sync message");
    };
    assert_eq!(document_id.to_string(), "2SxCQLg2PDxB4sT4N9SVpjHBQ7C3");
    assert_eq!(data, vec![1, 2, 3]);
}

#[test]
fn unknown_types_are_other_and_unknown_keys_are_skipped() {
    let mut frame = vec![0xa3];
    for (k, v) in [
        ("type", "presence-v2"),
        ("senderId", "p"),
        ("mood", "sunny"),
    ] {
        frame.push(0x60 | k.len() as u8);
        frame.extend_from_slice(k.as_bytes());
        frame.push(0x60 | v.len() as u8);
        frame.extend_from_slice(v.as_bytes());
    }
    assert_eq!(
        decode(&frame, DEFAULT_MAX_FRAME),
        Ok(Message::Other {
            r#type: "presence-v2".into()
        })
    );
    let hello = Message::KtHello {
        sender_id: PeerId::from("a"),
        target_id: PeerId::from("b"),
        cursor: 7,
    };
    let mut bytes = encode(&hello);
    // One more key, "x": [1, 2], in a map one entry longer.
    bytes[0] += 1;
    bytes.extend_from_slice(&[0x61, b'x', 0x82, 0x01, 0x02]);
    assert_eq!(decode(&bytes, DEFAULT_MAX_FRAME), Ok(hello));
}

#[test]
fn bad_frames_are_clear_errors() {
    let sync = Message::Sync {
        sender_id: PeerId::from("a"),
        target_id: PeerId::from("b"),
        document_id: DocumentId::random(),
        data: vec![9; 100],
    };
    let frame = encode(&sync);
    assert_eq!(
        decode(&frame, 50),
        Err(DecodeError::TooLarge {
            size: frame.len(),
            limit: 50
        })
    );
    assert!(matches!(
        decode(&[], DEFAULT_MAX_FRAME),
        Err(DecodeError::Cbor(_))
    ));
    assert!(matches!(
        decode(&[0x83, 1, 2, 3], DEFAULT_MAX_FRAME),
        Err(DecodeError::NotAMap(_))
    ));
    let mut trailing = frame.clone();
    trailing.push(0);
    assert_eq!(
        decode(&trailing, DEFAULT_MAX_FRAME),
        Err(DecodeError::TrailingBytes(1))
    );
    // {"type": "sync"} alone.
    let bare = [&[0xa1, 0x64][..], b"type", &[0x64], b"sync"].concat();
    assert_eq!(
        decode(&bare, DEFAULT_MAX_FRAME),
        Err(DecodeError::MissingField {
            message_type: "sync".into(),
            field: "senderId"
        })
    );
    // {1: 2}
    assert!(matches!(
        decode(&[0xa1, 0x01, 0x02], DEFAULT_MAX_FRAME),
        Err(DecodeError::KeyNotText(_))
    ));
    // {"a": 1, "a": 2}
    assert_eq!(
        decode(&[0xa2, 0x61, b'a', 1, 0x61, b'a', 2], DEFAULT_MAX_FRAME),
        Err(DecodeError::DuplicateKey("a".into()))
    );
    // {"type": 5}
    assert_eq!(
        decode(&[0xa1, 0x64, b't', b'y', b'p', b'e', 5], DEFAULT_MAX_FRAME),
        Err(DecodeError::NoType)
    );
    // A map that claims 2^63 entries ends at the end of the input.
    let mut huge = vec![0xbb, 0x80, 0, 0, 0, 0, 0, 0, 0];
    huge.extend_from_slice(&[0x61, b'a', 1]);
    assert!(matches!(
        decode(&huge, DEFAULT_MAX_FRAME),
        Err(DecodeError::Cbor(_))
    ));
    // Deep nesting is skipped without recursion.
    let mut deep = [&[0xa2, 0x64][..], b"type", &[0x61, b'x', 0x61, b'y']].concat();
    deep.extend(std::iter::repeat_n(0x81, 100_000));
    deep.push(0x00);
    assert_eq!(
        decode(&deep, DEFAULT_MAX_FRAME),
        Ok(Message::Other { r#type: "x".into() })
    );
}

#[test]
fn a_negative_or_fractional_cursor_is_refused() {
    let frame = |value: &[u8]| {
        [
            &[0xa4, 0x64][..],
            b"type",
            &[0x68],
            b"kt-hello",
            &[0x68],
            b"senderId",
            &[0x61, b'a', 0x68],
            b"targetId",
            &[0x61, b'b', 0x66],
            b"cursor",
            value,
        ]
        .concat()
    };
    for bad in [&[0x20][..], &[0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]] {
        assert!(matches!(
            decode(&frame(bad), DEFAULT_MAX_FRAME),
            Err(DecodeError::WrongType {
                field: "cursor",
                ..
            })
        ));
    }
    // 2.0 as a half float is the number 2.
    assert!(matches!(
        decode(&frame(&[0xf9, 0x40, 0x00]), DEFAULT_MAX_FRAME),
        Ok(Message::KtHello { cursor: 2, .. })
    ));
}

fn peer() -> impl Strategy<Value = PeerId> {
    "[a-z0-9-]{0,12}".prop_map(PeerId)
}

fn document_id() -> impl Strategy<Value = DocumentId> {
    any::<[u8; 16]>().prop_map(DocumentId::from_bytes)
}

fn texts() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec("\\PC{0,10}", 0..4)
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..300)
}

fn metadata() -> impl Strategy<Value = PeerMetadata> {
    (prop::option::of("[a-f0-9-]{1,36}"), any::<bool>()).prop_map(|(storage_id, is_ephemeral)| {
        PeerMetadata {
            storage_id,
            is_ephemeral,
        }
    })
}

fn message() -> impl Strategy<Value = Message> {
    let heads = prop::collection::btree_map(
        "[a-z0-9]{1,8}",
        (texts(), any::<u64>()).prop_map(|(heads, timestamp)| RemoteHeads { heads, timestamp }),
        0..3,
    );
    prop_oneof![
        (peer(), metadata(), texts()).prop_map(|(s, m, v)| Message::Join {
            sender_id: s,
            peer_metadata: m,
            supported_protocol_versions: v
        }),
        (peer(), peer(), metadata(), "\\PC{0,4}").prop_map(|(s, t, m, v)| Message::Peer {
            sender_id: s,
            target_id: t,
            peer_metadata: m,
            selected_protocol_version: v
        }),
        peer().prop_map(|s| Message::Leave { sender_id: s }),
        (peer(), prop::option::of(peer()), "\\PC{0,20}").prop_map(|(s, t, m)| Message::Error {
            sender_id: s,
            target_id: t,
            message: m
        }),
        (peer(), peer(), document_id(), bytes()).prop_map(|(s, t, d, b)| Message::Request {
            sender_id: s,
            target_id: t,
            document_id: d,
            data: b
        }),
        (peer(), peer(), document_id(), bytes()).prop_map(|(s, t, d, b)| Message::Sync {
            sender_id: s,
            target_id: t,
            document_id: d,
            data: b
        }),
        (peer(), peer(), document_id()).prop_map(|(s, t, d)| Message::DocUnavailable {
            sender_id: s,
            target_id: t,
            document_id: d
        }),
        (
            peer(),
            peer(),
            document_id(),
            "[a-z0-9]{0,8}",
            any::<u64>(),
            bytes()
        )
            .prop_map(|(s, t, d, session, count, b)| Message::Ephemeral {
                sender_id: s,
                target_id: t,
                document_id: d,
                session_id: session,
                count,
                data: b
            }),
        (peer(), peer(), texts(), texts()).prop_map(|(s, t, a, r)| {
            Message::RemoteSubscriptionChange {
                sender_id: s,
                target_id: t,
                add: a,
                remove: r,
            }
        }),
        (peer(), peer(), document_id(), heads).prop_map(|(s, t, d, h)| {
            Message::RemoteHeadsChanged {
                sender_id: s,
                target_id: t,
                document_id: d,
                new_heads: h,
            }
        }),
        (peer(), peer(), any::<u64>()).prop_map(|(s, t, c)| Message::KtHello {
            sender_id: s,
            target_id: t,
            cursor: c
        }),
        (
            peer(),
            peer(),
            prop::collection::vec(document_id(), 0..5),
            any::<u64>(),
            any::<u64>()
        )
            .prop_map(|(s, t, ids, c, time)| Message::KtChanged {
                sender_id: s,
                target_id: t,
                document_ids: ids,
                cursor: c,
                server_time: time
            }),
        (peer(), peer(), document_id(), any::<u64>(), texts()).prop_map(|(s, t, d, c, h)| {
            Message::KtAccepted {
                sender_id: s,
                target_id: t,
                document_id: d,
                cursor: c,
                heads: h,
            }
        }),
        (peer(), peer(), document_id(), "[a-z_]{1,12}", "\\PC{0,20}").prop_map(
            |(s, t, d, code, reason)| Message::KtRefused {
                sender_id: s,
                target_id: t,
                document_id: d,
                code,
                reason
            }
        ),
        (peer(), peer(), document_id(), assignment()).prop_map(|(s, t, d, a)| {
            Message::KtParted {
                sender_id: s,
                target_id: t,
                document_id: d,
                assignment: a,
            }
        }),
        "x-[a-z]{1,8}".prop_map(|t| Message::Other { r#type: t }),
    ]
}

fn assignment() -> impl Strategy<Value = crate::summary::AssignmentSummary> {
    use crate::client::AssignmentKind;
    (
        0i64..40_000,
        prop::option::of("[a-z0-9-]{1,36}"),
        prop::sample::select(vec![
            AssignmentKind::Initial,
            AssignmentKind::Reassigned,
            AssignmentKind::FromExchange,
            AssignmentKind::ApprovedRequest,
            AssignmentKind::ToPool,
        ]),
        "[a-z0-9-]{1,36}",
        0i64..(1 << 53),
    )
        .prop_map(
            |(day, manager, kind, by, at)| crate::summary::AssignmentSummary {
                date: crate::date::Date(
                    chrono::NaiveDate::default() + chrono::TimeDelta::days(day),
                ),
                manager: manager.map(crate::ids::UserId),
                kind,
                by: crate::ids::UserId(by),
                at: crate::date::Timestamp(at),
            },
        )
}

#[test]
fn a_parted_clients_assignment_kind_is_named_as_in_documents() {
    use crate::client::AssignmentKind;
    for kind in [
        AssignmentKind::Initial,
        AssignmentKind::Reassigned,
        AssignmentKind::FromExchange,
        AssignmentKind::ApprovedRequest,
        AssignmentKind::ToPool,
    ] {
        let message = Message::KtParted {
            sender_id: PeerId("relay".into()),
            target_id: PeerId("device".into()),
            document_id: DocumentId::from_bytes([7; 16]),
            assignment: crate::summary::AssignmentSummary {
                date: crate::date::Date::from_ymd(2026, 12, 5).unwrap(),
                manager: None,
                kind,
                by: crate::ids::UserId("boss".into()),
                at: crate::date::Timestamp(1),
            },
        };
        let frame = encode(&message);
        let json = serde_json::to_string(&kind).unwrap();
        let name = json.trim_matches('"');
        assert!(
            frame.windows(name.len()).any(|w| w == name.as_bytes()),
            "{name} on the wire"
        );
        assert_eq!(decode(&frame, DEFAULT_MAX_FRAME), Ok(message));
    }
}

proptest! {
    #[test]
    fn every_message_reads_back_as_written(m in message()) {
        let frame = encode(&m);
        prop_assert_eq!(decode(&frame, DEFAULT_MAX_FRAME), Ok(m));
    }

    #[test]
    fn a_truncated_frame_is_an_error(m in message(), cut in any::<prop::sample::Index>()) {
        let frame = encode(&m);
        let cut = cut.index(frame.len());
        prop_assert!(decode(&frame[..cut], DEFAULT_MAX_FRAME).is_err());
    }

    #[test]
    fn garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode(&bytes, DEFAULT_MAX_FRAME);
    }

    #[test]
    fn a_flipped_byte_never_panics(m in message(), at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let mut frame = encode(&m);
        let at = at.index(frame.len());
        frame[at] ^= 1 << bit;
        let _ = decode(&frame, DEFAULT_MAX_FRAME);
    }

    #[test]
    fn document_ids_round_trip_through_text(bytes in any::<[u8; 16]>()) {
        let id = DocumentId::from_bytes(bytes);
        prop_assert_eq!(id.to_string().parse::<DocumentId>(), Ok(id));
    }
}
