//! The house's shape, read from the sources the way a newcomer reads them: the SQL lives in
//! `store/` only, each layer imports only the layers below it, and no file outgrows what one
//! reader holds in mind. These are the README's "Layout" rules; a change that breaks one fails here
//! with the file and line named.

use std::path::{Path, PathBuf};

/// The repository's root (the `birlik` package's manifest directory).
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, sorted, as paths relative to the root.
fn sources(dir: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join(dir), &mut out);
    out.sort();
    out.into_iter()
        .map(|p| p.strip_prefix(root()).unwrap().to_path_buf())
        .collect()
}

/// A file's code lines before its inline tests, numbered from 1, with comments left out (a `//`
/// comment line, and the rest of a line after ` // `).
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    text.lines()
        .enumerate()
        .take_while(|(_, line)| line.trim() != "#[cfg(test)]")
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .map(|(i, line)| {
            let code = line.split(" // ").next().unwrap_or_default();
            (i + 1, code.to_string())
        })
        .collect()
}

/// Where any of `needles` occurs in the code of `files`: "path:line: needle: the line".
fn occurrences(files: &[PathBuf], needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for path in files {
        for (number, line) in code_lines(path) {
            for needle in needles {
                if line.contains(needle) {
                    found.push(format!(
                        "{}:{number}: {needle}: {}",
                        path.display(),
                        line.trim()
                    ));
                }
            }
        }
    }
    found
}

fn under(files: &[PathBuf], prefix: &str) -> Vec<PathBuf> {
    files
        .iter()
        .filter(|p| p.starts_with(prefix))
        .cloned()
        .collect()
}

/// What builds or runs SQL with sea-orm: its query builders, its active models, its statements
/// and transactions, and the traits that bring their methods into scope.
const QUERY_BUILDING: &[&str] = &[
    "sea_query",
    "Condition::",
    "Expr::",
    "Column::",
    "Entity::find",
    "Entity::insert",
    "Entity::update",
    "Entity::delete",
    "find_by_id(",
    "find_related(",
    "find_also_related(",
    "ActiveModel",
    ".exec(",
    ".exec_with_returning(",
    "Statement::",
    ".begin()",
    "TransactionTrait",
    "EntityTrait",
    "QueryFilter",
    "QuerySelect",
    "QueryOrder",
    "PaginatorTrait",
    "ColumnTrait",
    "ModelTrait",
    "LoaderTrait",
    ".query_all(",
    ".query_one(",
    ".execute_unprepared(",
    "ActiveValue",
    "Set(",
];

#[test]
fn only_the_store_builds_or_runs_sql() {
    let files: Vec<PathBuf> = sources("api/src")
        .into_iter()
        .filter(|p| !p.starts_with("api/src/store") && p != Path::new("api/src/db.rs"))
        .chain(sources("src"))
        .collect();
    let found = occurrences(&files, QUERY_BUILDING);
    assert!(
        found.is_empty(),
        "SQL is built or run outside api/src/store/ and api/src/db.rs; move it into a store \
         function:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_layer_imports_only_the_layers_below_it() {
    let api = sources("api/src");
    let mut found = Vec::new();
    // Services are the rules: no GraphQL, no HTTP.
    found.extend(occurrences(
        &under(&api, "api/src/services"),
        &["crate::graphql", "crate::http", "async_graphql", "actix"],
    ));
    // The store is the SQL: no rules, no GraphQL, no HTTP.
    found.extend(occurrences(
        &under(&api, "api/src/store"),
        &[
            "crate::services",
            "crate::graphql",
            "crate::http",
            "crate::auth",
            "async_graphql",
            "actix",
        ],
    ));
    // HTTP and auth reach the data through services.
    found.extend(occurrences(
        &[under(&api, "api/src/http"), under(&api, "api/src/auth")].concat(),
        &["crate::store"],
    ));
    // Nothing below the schema knows HTTP.
    found.extend(occurrences(
        &under(&api, "api/src/graphql"),
        &["crate::http", "actix"],
    ));
    // Core knows no layer above it.
    let core: Vec<PathBuf> = ["error.rs", "context.rs", "config.rs"]
        .iter()
        .map(|f| PathBuf::from("api/src").join(f))
        .collect();
    found.extend(occurrences(
        &core,
        &[
            "crate::graphql",
            "crate::http",
            "crate::services",
            "crate::store",
            "crate::demo",
            "actix",
        ],
    ));
    // Entities carry no GraphQL; migrations are history that depends on no entity.
    found.extend(occurrences(&sources("entity/src"), &["async_graphql"]));
    found.extend(occurrences(
        &sources("migration/src"),
        &["birlik_entity", "birlik_api"],
    ));
    assert!(
        found.is_empty(),
        "an import points up the layers (README, \"Layout\"):\n{}",
        found.join("\n")
    );
}

/// Lines a source file may hold before it needs a reason in its `//!` header (`//! Size: …`).
const SIZE_WITHOUT_REASON: usize = 400;
/// Lines no source file may pass before its inline tests, reason or not.
const SIZE_AT_MOST: usize = 550;

#[test]
fn no_file_outgrows_one_reader() {
    let mut found = Vec::new();
    for path in sources("api/src")
        .into_iter()
        .chain(sources("entity/src"))
        .chain(sources("src"))
    {
        let text = std::fs::read_to_string(root().join(&path)).unwrap();
        let length = text
            .lines()
            .take_while(|line| line.trim() != "#[cfg(test)]")
            .count();
        let reason = text
            .lines()
            .take_while(|line| line.starts_with("//!"))
            .any(|line| line.starts_with("//! Size:"));
        if length > SIZE_AT_MOST {
            found.push(format!(
                "{}: {length} lines (at most {SIZE_AT_MOST})",
                path.display()
            ));
        } else if length > SIZE_WITHOUT_REASON && !reason {
            found.push(format!(
                "{}: {length} lines and no `//! Size:` reason (over {SIZE_WITHOUT_REASON})",
                path.display()
            ));
        }
    }
    assert!(
        found.is_empty(),
        "split these by operation or by entity:\n{}",
        found.join("\n")
    );
}
