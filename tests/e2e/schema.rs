//! `schema.graphql` is what the code serves.

#[test]
fn schema_graphql_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    let generated = birlik_api::graphql::sdl();
    assert!(
        checked_in == generated,
        "schema.graphql is out of date; regenerate it with:\n    cargo run -q -- schema > schema.graphql"
    );
}

#[test]
fn every_type_field_argument_and_enum_value_is_described() {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let doc =
        async_graphql::parser::parse_schema(birlik_api::graphql::sdl()).expect("the SDL parses");
    let mut missing = Vec::new();
    for def in doc.definitions {
        let TypeSystemDefinition::Type(ty) = def else {
            continue;
        };
        let ty = ty.node;
        let name = ty.name.node.to_string();
        // Relay's generated connection and edge wrappers carry no descriptions of their own.
        if name.ends_with("Connection") || name.ends_with("Edge") {
            continue;
        }
        if ty.description.is_none() {
            missing.push(name.clone());
        }
        match ty.kind {
            TypeKind::Object(o) => {
                for f in o.fields {
                    if f.node.description.is_none() {
                        missing.push(format!("{name}.{}", f.node.name.node));
                    }
                    for a in f.node.arguments {
                        if a.node.description.is_none() {
                            missing
                                .push(format!("{name}.{}({})", f.node.name.node, a.node.name.node));
                        }
                    }
                }
            }
            TypeKind::Interface(i) => {
                for f in i.fields {
                    if f.node.description.is_none() {
                        missing.push(format!("{name}.{}", f.node.name.node));
                    }
                }
            }
            TypeKind::InputObject(i) => {
                for f in i.fields {
                    if f.node.description.is_none() {
                        missing.push(format!("{name}.{}", f.node.name.node));
                    }
                }
            }
            TypeKind::Enum(e) => {
                for v in e.values {
                    if v.node.description.is_none() {
                        missing.push(format!("{name}.{}", v.node.value.node));
                    }
                }
            }
            _ => {}
        }
    }
    assert!(
        missing.is_empty(),
        "undescribed in the schema: {missing:#?}"
    );
}

#[test]
fn every_client_operation_is_copied_verbatim_and_run_by_a_test() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let ops = std::fs::read_to_string(root.join("api/src/operations.rs")).unwrap();
    let shared = root.join("../shared/clients");
    let mut count = 0;
    for client in std::fs::read_dir(root.join("api/operations")).unwrap() {
        let client = client.unwrap().path();
        for op in std::fs::read_dir(&client).unwrap() {
            let op = op.unwrap().path();
            let rel = format!(
                "{}/{}",
                client.file_name().unwrap().to_str().unwrap(),
                op.file_name().unwrap().to_str().unwrap()
            );
            assert!(
                ops.contains(&format!("operations/{rel}")),
                "{rel} is not in api/src/operations.rs, so no test runs it"
            );
            // Beside a checkout of the steering repository, the copy must still be the original.
            if let Ok(original) = std::fs::read_to_string(shared.join(&rel)) {
                assert_eq!(
                    std::fs::read_to_string(&op).unwrap(),
                    original,
                    "{rel} differs from shared/clients"
                );
            }
            count += 1;
        }
    }
    assert_eq!(count, 33, "the clients send 33 operations");
}
