//! Who sends a request and how: the caller ([`Actor`]), their language and their address. Core:
//! it imports no layer above it.

/// Who sends a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The public: no token.
    Anonymous,
    /// A volunteer, with their volunteer record.
    Volunteer { user_id: i32, volunteer_id: i32 },
    /// Staff of one organization.
    Ngo { user_id: i32, organization_id: i32 },
    /// Ministry staff.
    Ministry { user_id: i32 },
}

impl Actor {
    /// The account behind the request, if any.
    pub fn user_id(&self) -> Option<i32> {
        match self {
            Actor::Anonymous => None,
            Actor::Volunteer { user_id, .. }
            | Actor::Ngo { user_id, .. }
            | Actor::Ministry { user_id } => Some(*user_id),
        }
    }
}

/// The language names are served in, from `Accept-Language` (default Russian).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    Kk,
    #[default]
    Ru,
    En,
}

impl Lang {
    /// The first of `kk`, `ru`, `en` that the header names, by quality; Russian otherwise.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let Some(header) = header else {
            return Lang::default();
        };
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            let quality = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let lang = match tag.split('-').next().unwrap_or_default() {
                "kk" => Lang::Kk,
                "ru" => Lang::Ru,
                "en" => Lang::En,
                _ => continue,
            };
            if best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang).unwrap_or_default()
    }
}

/// Per-request state, put into the GraphQL request's data by the HTTP handler.
#[derive(Clone, Debug)]
pub struct RequestCtx {
    pub actor: Actor,
    pub lang: Lang,
    /// The client's address as throttles key it (`http::client_address`: behind a trusted proxy,
    /// the forwarded client; IPv6 as its /64).
    pub address: Option<std::net::IpAddr>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_known_language() {
        assert_eq!(Lang::from_accept_language(None), Lang::Ru);
        assert_eq!(Lang::from_accept_language(Some("kk-KZ,ru;q=0.8")), Lang::Kk);
        assert_eq!(
            Lang::from_accept_language(Some("de,en-US;q=0.7,ru;q=0.9")),
            Lang::Ru
        );
        assert_eq!(Lang::from_accept_language(Some("en")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("fr")), Lang::Ru);
    }
}
