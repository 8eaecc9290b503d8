//! Callback data: a typed, versioned encoding that always fits Telegram's
//! 64 bytes. Anything that does not decode is a stale or forged button.

/// Version tag of the encoding; bump it when the meaning of a tag changes,
/// so old buttons in chats decode as stale instead of doing something new.
const VERSION: &str = "1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cb {
    /// Admin: approve a business.
    Approve(i64),
    /// Admin: reject a business (asks for the reason).
    Reject(i64),
    /// A button of the current dialogue step; `seq` tells stale presses.
    Wizard { seq: u32, action: Wiz },
    /// Show an offer's card.
    ShowOffer(i64),
    /// Send a venue's location.
    VenueLocation(i64),
    /// `/venues`: start adding a pickup place.
    AddVenue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wiz {
    Back,
    Cancel,
    Skip,
    /// The n-th of the offered choices.
    Pick(u16),
    AddItem,
    ItemsDone,
    Publish,
    Edit,
    Discard,
    Confirm,
}

impl Cb {
    pub fn encode(self) -> String {
        let s = match self {
            Cb::Approve(id) => format!("{VERSION}:a:{id}"),
            Cb::Reject(id) => format!("{VERSION}:r:{id}"),
            Cb::ShowOffer(id) => format!("{VERSION}:o:{id}"),
            Cb::VenueLocation(id) => format!("{VERSION}:l:{id}"),
            Cb::AddVenue => format!("{VERSION}:v"),
            Cb::Wizard { seq, action } => {
                let a = match action {
                    Wiz::Back => "b".to_string(),
                    Wiz::Cancel => "c".to_string(),
                    Wiz::Skip => "s".to_string(),
                    Wiz::Pick(n) => format!("p{n}"),
                    Wiz::AddItem => "i".to_string(),
                    Wiz::ItemsDone => "d".to_string(),
                    Wiz::Publish => "u".to_string(),
                    Wiz::Edit => "e".to_string(),
                    Wiz::Discard => "x".to_string(),
                    Wiz::Confirm => "k".to_string(),
                };
                format!("{VERSION}:w:{seq}:{a}")
            }
        };
        debug_assert!(s.len() <= 64);
        s
    }

    /// `None` for anything we did not produce in this version.
    pub fn decode(data: &str) -> Option<Cb> {
        if data.len() > 64 {
            return None;
        }
        let mut parts = data.split(':');
        if parts.next()? != VERSION {
            return None;
        }
        let tag = parts.next()?;
        let id = |s: Option<&str>| s.and_then(|s| s.parse::<i64>().ok()).filter(|n| *n > 0);
        let cb = match tag {
            "a" => Cb::Approve(id(parts.next())?),
            "r" => Cb::Reject(id(parts.next())?),
            "o" => Cb::ShowOffer(id(parts.next())?),
            "l" => Cb::VenueLocation(id(parts.next())?),
            "v" => Cb::AddVenue,
            "w" => {
                let seq = parts.next()?.parse().ok()?;
                let a = parts.next()?;
                let action = match a {
                    "b" => Wiz::Back,
                    "c" => Wiz::Cancel,
                    "s" => Wiz::Skip,
                    "i" => Wiz::AddItem,
                    "d" => Wiz::ItemsDone,
                    "u" => Wiz::Publish,
                    "e" => Wiz::Edit,
                    "x" => Wiz::Discard,
                    "k" => Wiz::Confirm,
                    p if p.starts_with('p') => Wiz::Pick(p[1..].parse().ok()?),
                    _ => return None,
                };
                Cb::Wizard { seq, action }
            }
            _ => return None,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(cb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_fits_64_bytes() {
        let all = [
            Cb::Approve(i64::MAX),
            Cb::Reject(1),
            Cb::ShowOffer(42),
            Cb::VenueLocation(7),
            Cb::AddVenue,
            Cb::Wizard { seq: u32::MAX, action: Wiz::Pick(u16::MAX) },
            Cb::Wizard { seq: 0, action: Wiz::Back },
            Cb::Wizard { seq: 3, action: Wiz::Cancel },
            Cb::Wizard { seq: 3, action: Wiz::Skip },
            Cb::Wizard { seq: 3, action: Wiz::AddItem },
            Cb::Wizard { seq: 3, action: Wiz::ItemsDone },
            Cb::Wizard { seq: 3, action: Wiz::Publish },
            Cb::Wizard { seq: 3, action: Wiz::Edit },
            Cb::Wizard { seq: 3, action: Wiz::Discard },
            Cb::Wizard { seq: 3, action: Wiz::Confirm },
        ];
        for cb in all {
            let s = cb.encode();
            assert!(s.len() <= 64, "{s}");
            assert_eq!(Cb::decode(&s), Some(cb), "{s}");
        }
    }

    #[test]
    fn forged_and_old_data_is_refused() {
        for bad in [
            "",
            "x",
            "0:a:1",
            "2:a:1",
            "1:a:",
            "1:a:-5",
            "1:a:0",
            "1:a:1:extra",
            "1:w:1:zz",
            "1:w:x:b",
            "1:q:1",
            "1:w:1:p",
        ] {
            assert_eq!(Cb::decode(bad), None, "{bad:?}");
        }
        assert_eq!(Cb::decode(&"1:a:1".repeat(20)), None);
    }
}
