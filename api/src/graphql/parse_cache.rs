//! Parsed documents, kept by their text: the clients send the same few operations again and
//! again, and parsing is a large part of a small request's cost. Each request still gets its
//! own copy of the document, and every check that depends on the variables still runs on it.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, MutexGuard};

use async_graphql::parser::types::ExecutableDocument;

/// Documents kept at most.
const ENTRIES: usize = 512;
/// Longer documents are parsed every time, so that the cache holds at most
/// `ENTRIES × MAX_TEXT` bytes of text, whatever clients send.
const MAX_TEXT: usize = 16 * 1024;

type Documents = lru::LruCache<Box<str>, Arc<ExecutableDocument>>;

/// The most recently used documents, shared by every request of the schema.
pub struct ParseCache(Mutex<Documents>);

impl Default for ParseCache {
    fn default() -> Self {
        let entries = NonZeroUsize::new(ENTRIES).expect("ENTRIES is not zero");
        ParseCache(Mutex::new(lru::LruCache::new(entries)))
    }
}

impl ParseCache {
    fn documents(&self) -> MutexGuard<'_, Documents> {
        // A panic while the lock was held leaves nothing half-done in a map of Arcs.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The documents of this process, shared by the schema's gate (which parses what it runs)
    /// and the HTTP handlers (which look at an operation's type before running it): a text is
    /// parsed once, whoever looks at it first.
    pub fn shared() -> &'static ParseCache {
        static SHARED: std::sync::LazyLock<ParseCache> = std::sync::LazyLock::new(Default::default);
        &SHARED
    }

    /// A copy of the document parsed from this text before, if it is kept.
    pub fn get(&self, query: &str) -> Option<ExecutableDocument> {
        let doc = self.documents().get(query).cloned()?;
        Some(ExecutableDocument::clone(&doc))
    }

    /// The document of this text: the one kept, or parsed now (and kept); `None` when it does
    /// not parse (the gate then reports why, when it parses it to run it).
    pub fn document(&self, query: &str) -> Option<Arc<ExecutableDocument>> {
        if let Some(doc) = self.documents().get(query).cloned() {
            return Some(doc);
        }
        let doc = Arc::new(async_graphql::parser::parse_query(query).ok()?);
        if query.len() <= MAX_TEXT {
            self.documents().put(query.into(), doc.clone());
        }
        Some(doc)
    }

    /// Keeps a document parsed from this text (not one of a longer text).
    pub fn put(&self, query: &str, doc: &ExecutableDocument) {
        if query.len() <= MAX_TEXT {
            self.documents().put(query.into(), Arc::new(doc.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_short_documents_only() {
        let cache = ParseCache::default();
        let short = "{ regions { code } }";
        let doc = async_graphql::parser::parse_query(short).unwrap();
        assert!(cache.get(short).is_none());
        cache.put(short, &doc);
        let again = cache.get(short).expect("kept");
        assert_eq!(format!("{again:?}"), format!("{doc:?}"));

        let long = format!("{{ regions {{ code }} }}{}", " ".repeat(MAX_TEXT));
        let doc = async_graphql::parser::parse_query(&long).unwrap();
        cache.put(&long, &doc);
        assert!(cache.get(&long).is_none(), "a long text is not kept");
        assert!(cache.document(&long).is_some());
        assert!(cache.get(&long).is_none(), "nor when it is looked at");
    }

    #[test]
    fn a_document_looked_at_is_kept_for_the_run() {
        let cache = ParseCache::default();
        let text = "query Mine { myTasks { totalCount } }";
        let doc = cache.document(text).expect("parses");
        assert_eq!(doc.operations.iter().count(), 1);
        let kept = cache.get(text).expect("kept");
        assert_eq!(format!("{kept:?}"), format!("{:?}", *doc));
        assert!(cache.document("query {").is_none(), "no document");
        assert!(cache.get("query {").is_none());
    }
}
