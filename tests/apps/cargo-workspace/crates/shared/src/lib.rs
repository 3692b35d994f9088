//! The workspace's model, used by the api crate.

use serde::{Deserialize, Serialize};

/// An item of the catalogue.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Item {
    pub id: u32,
    pub name: String,
    pub slug: String,
}

impl Item {
    /// The item `id`, named after it.
    pub fn numbered(id: u32) -> Self {
        let name = format!("Item {id}");
        Item { id, slug: slugify(&name), name }
    }
}

/// `"Hello, World!"` -> `"hello-world"`: lower-case words joined by dashes.
pub fn slugify(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// A summary of `items` as a JSON value: their count and slugs.
pub fn summary(items: &[Item]) -> serde_json::Value {
    serde_json::json!({
        "count": items.len(),
        "slugs": items.iter().map(|item| item.slug.as_str()).collect::<Vec<_>>(),
    })
}
