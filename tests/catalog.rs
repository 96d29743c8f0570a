//! The docs' action list is the catalog's: `docs/actions.md` holds `markdown_table()` between
//! its markers. `THINGCALL_BLESS=1 cargo test --test catalog` writes it after a catalog change.

use std::path::Path;

const BEGIN: &str = "<!-- actions: begin (written from src/core/action.rs) -->\n";
const END: &str = "<!-- actions: end -->";

#[test]
fn the_docs_action_list_comes_from_the_catalog() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/actions.md");
    let text = std::fs::read_to_string(&path).expect("docs/actions.md");
    let (head, rest) = text.split_once(BEGIN).expect("the begin marker");
    let (_, tail) = rest.split_once(END).expect("the end marker");
    let want = format!(
        "{head}{BEGIN}{}{END}{tail}",
        thingcall::core::action::markdown_table()
    );
    if std::env::var_os("THINGCALL_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    assert!(
        text == want,
        "docs/actions.md is not the catalog's table: run THINGCALL_BLESS=1 cargo test --test catalog"
    );
}

#[test]
fn every_catalog_action_is_documented_with_its_qps() {
    let table = thingcall::core::action::markdown_table();
    for a in thingcall::core::action::ACTIONS {
        let row = table
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", a.name)))
            .unwrap_or_else(|| panic!("{} has no row", a.name));
        assert!(row.contains(&format!(" | {} | ", a.qps)), "{row}");
    }
}
