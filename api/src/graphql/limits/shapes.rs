//! What the limits' walk knows of the schema ([`Shapes`]): each field's type and whether it is a
//! list, and the average sizes of introspection's lists, read once from the schema's own SDL.

use async_graphql::parser::types::{BaseType, TypeKind, TypeSystemDefinition};
use async_graphql::{Name, Positioned};
use std::collections::HashMap;

/// What the walk needs to know of the schema: each field's type and whether it is a list, and
/// the average sizes of introspection's lists. Read once from the schema's SDL.
#[derive(Clone, Debug, Default)]
pub struct Shapes {
    /// type → field → (named type, is a list).
    fields: HashMap<String, HashMap<String, (String, bool)>>,
    pub(super) query: String,
    pub(super) mutation: String,
    pub(super) subscription: String,
    /// Average items of each introspection list (rounded up).
    pub(super) introspection: HashMap<&'static str, u64>,
}

impl Shapes {
    /// The shapes of Birlik's schema.
    pub fn of_schema() -> Self {
        Self::from_sdl(&crate::graphql::sdl())
    }

    /// The shapes of the schema this SDL describes (an SDL that does not parse gives none:
    /// every field then counts as a plain field, and validation refuses what is unknown).
    pub fn from_sdl(sdl: &str) -> Self {
        let mut shapes = Shapes {
            query: "Query".into(),
            mutation: "Mutation".into(),
            subscription: "Subscription".into(),
            ..Shapes::default()
        };
        let Ok(doc) = async_graphql::parser::parse_schema(sdl) else {
            return shapes;
        };
        // Built-in scalars and the introspection types are not in the SDL.
        let mut types: u64 = 5 + 8;
        let (mut fields, mut args, mut values, mut inputs, mut implements, mut members) =
            (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
        let mut directives: u64 = 5;
        for definition in &doc.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    let name = |n: &Option<Positioned<Name>>, or: &str| {
                        n.as_ref().map_or(or.to_owned(), |n| n.node.to_string())
                    };
                    shapes.query = name(&schema.node.query, "Query");
                    shapes.mutation = name(&schema.node.mutation, "Mutation");
                    shapes.subscription = name(&schema.node.subscription, "Subscription");
                }
                TypeSystemDefinition::Directive(d) => {
                    directives += 1;
                    args += d.node.arguments.len() as u64;
                }
                TypeSystemDefinition::Type(ty) => {
                    types += 1;
                    let defined = match &ty.node.kind {
                        TypeKind::Object(o) => {
                            implements += o.implements.len() as u64;
                            Some(&o.fields)
                        }
                        TypeKind::Interface(i) => {
                            implements += i.implements.len() as u64;
                            Some(&i.fields)
                        }
                        TypeKind::Union(u) => {
                            members += u.members.len() as u64;
                            None
                        }
                        TypeKind::Enum(e) => {
                            values += e.values.len() as u64;
                            None
                        }
                        TypeKind::InputObject(i) => {
                            inputs += i.fields.len() as u64;
                            None
                        }
                        TypeKind::Scalar => None,
                    };
                    let Some(defined) = defined else { continue };
                    let map = shapes
                        .fields
                        .entry(ty.node.name.node.to_string())
                        .or_default();
                    for field in defined {
                        fields += 1;
                        args += field.node.arguments.len() as u64;
                        let mut t = &field.node.ty.node;
                        let mut list = false;
                        let named = loop {
                            match &t.base {
                                BaseType::Named(name) => break name.to_string(),
                                BaseType::List(inner) => {
                                    list = true;
                                    t = inner;
                                }
                            }
                        };
                        map.insert(field.node.name.node.to_string(), (named, list));
                    }
                }
            }
        }
        // Members of unions, and implementers of interfaces, are a type's possible types.
        members += implements;
        let average = |total: u64, over: u64| total.div_ceil(over.max(1)).max(1);
        shapes.introspection = HashMap::from([
            ("types", types),
            ("fields", average(fields, types)),
            ("args", average(args, fields + directives)),
            ("enumValues", average(values, types)),
            ("inputFields", average(inputs, types)),
            ("interfaces", average(implements, types)),
            ("possibleTypes", average(members, types)),
            ("directives", directives),
            // Every place a directive may stand.
            ("locations", 19),
        ]);
        shapes
    }

    /// A field's type and whether it is a list, if the schema knows it.
    pub(super) fn field(&self, ty: &str, field: &str) -> Option<&(String, bool)> {
        self.fields.get(ty)?.get(field)
    }
}
