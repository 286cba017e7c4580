//! Requests waiting for the listener to pick a track from buttons.
//!
//! A button's callback data holds at most 64 bytes: too little for a playlist request of
//! several tracks. The request is kept here under a number, and the buttons carry that number
//! and the choice (`c:<number>:<k>`). The store is bounded; a button of a request forgotten
//! since (or from before a restart) is answered with "send the request again".

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use selecta_catalog::Candidate;

/// What was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A playlist of this length.
    Predict {
        /// Tracks in the playlist.
        length: usize,
    },
    /// A track's card.
    Describe,
}

/// One track of a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Slot {
    /// Known: a catalog track id (an id, not an index, so that a choice made before a model
    /// reload still names the same track after it).
    Chosen(String),
    /// To be picked from candidates.
    Open {
        /// What the listener typed.
        query: String,
        /// The tracks offered, best first.
        candidates: Vec<Candidate>,
        /// True when nothing matched and these are "did you mean" suggestions; false when
        /// several songs matched equally well.
        unmatched: bool,
    },
}

/// A request waiting for choices.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// The chat it belongs to (a button pressed elsewhere does not count).
    pub chat: i64,
    /// What to do once every track is known.
    pub action: Action,
    /// The tracks, in the order given.
    pub slots: Vec<Slot>,
}

impl Pending {
    /// The first slot still to choose, with its position.
    pub fn first_open(&self) -> Option<(usize, &Slot)> {
        self.slots
            .iter()
            .enumerate()
            .find(|(_, s)| matches!(s, Slot::Open { .. }))
    }

    /// How many slots are still to choose.
    pub fn open_count(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| matches!(s, Slot::Open { .. }))
            .count()
    }

    /// The track ids, once every slot is chosen.
    pub fn seeds(&self) -> Option<Vec<String>> {
        self.slots
            .iter()
            .map(|s| match s {
                Slot::Chosen(id) => Some(id.clone()),
                Slot::Open { .. } => None,
            })
            .collect()
    }
}

/// What a button says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    /// Candidate `k` of the open slot of request `token`.
    Pick {
        /// The request.
        token: u64,
        /// The candidate's position.
        k: usize,
    },
    /// Forget request `token`.
    Cancel {
        /// The request.
        token: u64,
    },
}

impl Press {
    /// The callback data of this press.
    pub fn data(self) -> String {
        match self {
            Press::Pick { token, k } => format!("c:{token}:{k}"),
            Press::Cancel { token } => format!("c:{token}:x"),
        }
    }

    /// Reads callback data written by [`Press::data`].
    pub fn parse(data: &str) -> Option<Press> {
        let rest = data.strip_prefix("c:")?;
        let (token, k) = rest.split_once(':')?;
        let token = token.parse().ok()?;
        if k == "x" {
            return Some(Press::Cancel { token });
        }
        Some(Press::Pick {
            token,
            k: k.parse().ok()?,
        })
    }
}

/// The bounded store of waiting requests (oldest forgotten first).
#[derive(Debug)]
pub struct Choices {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    next: u64,
    order: VecDeque<u64>,
    pending: HashMap<u64, Pending>,
}

impl Choices {
    /// A store keeping at most `capacity` requests.
    pub fn new(capacity: usize) -> Choices {
        Choices {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner {
                next: 1,
                ..Inner::default()
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic elsewhere never leaves the map half-changed: every change is one call.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps a request; returns its number.
    pub fn insert(&self, pending: Pending) -> u64 {
        let mut inner = self.lock();
        let token = inner.next;
        inner.next += 1;
        inner.pending.insert(token, pending);
        inner.order.push_back(token);
        while inner.pending.len() > self.capacity {
            if let Some(old) = inner.order.pop_front() {
                inner.pending.remove(&old);
            }
        }
        // Tokens taken out by `take` leave stale entries in `order`; drop them now and then.
        if inner.order.len() > 2 * self.capacity {
            let Inner { order, pending, .. } = &mut *inner;
            order.retain(|t| pending.contains_key(t));
        }
        token
    }

    /// Takes request `token` out if it belongs to `chat`.
    pub fn take(&self, token: u64, chat: i64) -> Option<Pending> {
        let mut inner = self.lock();
        match inner.pending.get(&token) {
            Some(p) if p.chat == chat => inner.pending.remove(&token),
            _ => None,
        }
    }

    /// Puts a request back under its number (after one of several choices).
    pub fn put_back(&self, token: u64, pending: Pending) {
        let mut inner = self.lock();
        inner.order.retain(|&t| t != token);
        inner.pending.insert(token, pending);
        inner.order.push_back(token);
    }

    /// Number of requests kept.
    pub fn len(&self) -> usize {
        self.lock().pending.len()
    }

    /// True when no request waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(chat: i64) -> Pending {
        Pending {
            chat,
            action: Action::Describe,
            slots: vec![Slot::Chosen("t1".into())],
        }
    }

    #[test]
    fn presses_roundtrip_through_callback_data() {
        for p in [
            Press::Pick { token: 7, k: 3 },
            Press::Cancel { token: u64::MAX },
        ] {
            let data = p.data();
            assert!(data.len() <= 64, "{data}");
            assert_eq!(Press::parse(&data), Some(p));
        }
        for bad in ["", "c:", "c:1", "c:x:1", "c:1:y", "d:1:1", "c:-1:0"] {
            assert_eq!(Press::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn requests_belong_to_their_chat_and_the_oldest_are_forgotten() {
        let c = Choices::new(2);
        let a = c.insert(pending(1));
        assert_eq!(c.take(a, 2), None, "another chat");
        assert_eq!(c.take(a, 1), Some(pending(1)));
        assert_eq!(c.take(a, 1), None, "taken once");
        c.put_back(a, pending(1));
        let b = c.insert(pending(1));
        let d = c.insert(pending(1));
        assert_eq!(c.len(), 2);
        assert_eq!(c.take(a, 1), None, "forgotten: the oldest");
        assert!(c.take(b, 1).is_some() && c.take(d, 1).is_some());
        assert!(c.is_empty());
    }

    #[test]
    fn slots_tell_what_is_left_to_choose() {
        let open = Slot::Open {
            query: "stay".into(),
            candidates: Vec::new(),
            unmatched: false,
        };
        let mut p = Pending {
            chat: 1,
            action: Action::Predict { length: 10 },
            slots: vec![Slot::Chosen("t4".into()), open.clone(), open],
        };
        assert_eq!(p.first_open().map(|(i, _)| i), Some(1));
        assert_eq!(p.open_count(), 2);
        assert_eq!(p.seeds(), None);
        p.slots[1] = Slot::Chosen("t5".into());
        p.slots[2] = Slot::Chosen("t6".into());
        assert_eq!(p.seeds(), Some(vec!["t4".into(), "t5".into(), "t6".into()]));
    }
}
