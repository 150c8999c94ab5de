//! The GraphiQL IDE, served whole from the binary so that `/graphql` works in a browser with no
//! internet: GraphiQL 3.8.3 and React 18.3.1 as published on the npm registry (vendored, pinned
//! and checked in `api/assets/graphiql/`, see its README and `fetch.sh`), our small page and the
//! script that starts it. Nothing here reaches the database; with introspection off (the
//! `BIRLIK_INTROSPECTION=false` of a production server) the page and every asset are off too.

use std::io::Write;
use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::http::State;

/// The page's policy: scripts, styles and fonts from this server only (no inline script: the
/// start-up script is an asset of its own), requests to this server only (`'self'` covers the
/// WebSocket of the same host), nothing framed, no forms, no `<base>`. Fonts and a few icons are
/// `data:` URLs inside GraphiQL's stylesheet.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; font-src 'self' data:; img-src 'self' data:; connect-src 'self'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// One file the page loads.
struct Asset {
    /// Its path after `/graphql/ide/`; a vendored file's carries its package's version.
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    /// Its brotli and gzip forms, each made once on first demand (GraphiQL's bundle is 3.5 MB:
    /// compressed on every request, each anonymous download would cost the server tens of
    /// milliseconds of CPU).
    compressed: [OnceLock<Vec<u8>>; 2],
}

impl Asset {
    /// A versioned file never changes under its path; ours may change with any release.
    fn cache_control(&self) -> &'static str {
        if self.path.contains('/') {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }
    }

    fn compressed(&self, coding: Coding) -> &[u8] {
        self.compressed[coding as usize].get_or_init(|| {
            let mut out = Vec::new();
            match coding {
                Coding::Brotli => {
                    let mut encoder = brotli::CompressorWriter::new(&mut out, 64 * 1024, 9, 22);
                    encoder.write_all(self.body).expect("writing to memory");
                    encoder.flush().expect("writing to memory");
                }
                Coding::Gzip => {
                    let mut encoder =
                        flate2::write::GzEncoder::new(&mut out, flate2::Compression::best());
                    encoder.write_all(self.body).expect("writing to memory");
                    encoder.finish().expect("writing to memory");
                }
            }
            out
        })
    }
}

/// The compressions a file is kept in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Coding {
    Brotli = 0,
    Gzip = 1,
}

impl Coding {
    fn header(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
        }
    }
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

static ASSETS: [Asset; 5] = [
    Asset {
        path: "graphiql-3.8.3/graphiql.min.js",
        content_type: JS,
        compressed: [OnceLock::new(), OnceLock::new()],
        body: include_bytes!("../../../assets/graphiql/graphiql.min.js"),
    },
    Asset {
        path: "graphiql-3.8.3/graphiql.min.css",
        content_type: CSS,
        compressed: [OnceLock::new(), OnceLock::new()],
        body: include_bytes!("../../../assets/graphiql/graphiql.min.css"),
    },
    Asset {
        path: "react-18.3.1/react.production.min.js",
        content_type: JS,
        compressed: [OnceLock::new(), OnceLock::new()],
        body: include_bytes!("../../../assets/graphiql/react.production.min.js"),
    },
    Asset {
        path: "react-dom-18.3.1/react-dom.production.min.js",
        content_type: JS,
        compressed: [OnceLock::new(), OnceLock::new()],
        body: include_bytes!("../../../assets/graphiql/react-dom.production.min.js"),
    },
    Asset {
        path: "birlik-ide.js",
        content_type: JS,
        compressed: [OnceLock::new(), OnceLock::new()],
        body: include_bytes!("birlik-ide.js"),
    },
];

const PAGE: &str = include_str!("page.html");

/// The IDE's page, for a browser's `GET /graphql` (the caller has checked that it is on).
pub fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // The same URL answers JSON to an API client.
        .insert_header((header::VARY, "Accept"))
        .body(PAGE)
}

/// `GET /graphql/ide/{file}`: one of the page's files, or 404 (as for any file while the IDE is
/// off). A client that takes brotli or gzip gets the file compressed once per process (the
/// response compression then leaves it as it is); others get it as it is.
pub async fn asset(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    let path = req.match_info().query("file");
    let Some(asset) = ASSETS.iter().find(|a| a.path == path) else {
        return HttpResponse::NotFound().finish();
    };
    if !state.graphql.introspection {
        return HttpResponse::NotFound().finish();
    }
    let mut response = HttpResponse::Ok();
    response
        .content_type(asset.content_type)
        .insert_header((header::CACHE_CONTROL, asset.cache_control()))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::VARY, "Accept-Encoding"));
    let Some(coding) = [Coding::Brotli, Coding::Gzip]
        .into_iter()
        .find(|c| accepts(&req, c.header()))
    else {
        return response.body(asset.body);
    };
    match web::block(move || asset.compressed(coding)).await {
        Ok(body) => response
            .insert_header((header::CONTENT_ENCODING, coding.header()))
            .body(body),
        Err(_) => HttpResponse::ServiceUnavailable().finish(),
    }
}

/// Whether `Accept-Encoding` takes `coding` (named, not refused with `q=0`).
fn accepts(req: &HttpRequest, coding: &str) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| matches!(p.replace(' ', "").as_str(), "q=0" | "q=0.0"));
            name.eq_ignore_ascii_case(coding) && !refused
        })
}
