//! The CLI's CSV columns are exactly the spec's properties (issue 6): a property added to the
//! spec must become a column, and no column may name a property the spec lacks.

use jc_cli::csv::Kind;
use jc_e2e::{schema, spec};
use std::collections::BTreeSet;

fn spec_properties(name: &str) -> BTreeSet<String> {
    let spec = spec();
    schema(&spec, name)["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

fn columns(kind: Kind) -> BTreeSet<String> {
    kind.fields()
        .into_iter()
        .map(|(name, _)| name.to_owned())
        .collect()
}

#[test]
fn csv_columns_match_the_spec() {
    assert_eq!(columns(Kind::Create), spec_properties("bulk-user-create"));
    assert_eq!(columns(Kind::Update), spec_properties("bulk-user-update"));
    assert_eq!(columns(Kind::Target), spec_properties("bulk-user-expire"));
    assert_eq!(columns(Kind::Target), spec_properties("bulk-user-unlock"));
}
