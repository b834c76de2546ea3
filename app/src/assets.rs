//! Where the built front-end files are: `scripts/assets.mjs` gives each a name carrying a hash
//! of its content (so browsers may keep it for a year) and lists the hashes in `pkg/hash.txt`.
//! The server reads that list once at start-up and hands it to the pages through context.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::use_context;

/// The fingerprinted names of the site's files; empty when the site was built without them
/// (then every file keeps its plain name).
#[derive(Clone, Debug, Default)]
pub struct Assets {
    hashes: Arc<HashMap<String, String>>,
}

impl Assets {
    /// Reads `pkg/hash.txt`: one `file: hash` per line (`js` and `wasm` are the bundle's,
    /// read by Leptos itself).
    pub fn from_manifest(text: &str) -> Self {
        let hashes = text
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(file, hash)| (file.trim().to_string(), hash.trim().to_string()))
            .filter(|(file, hash)| !file.is_empty() && !hash.is_empty())
            .collect();
        Assets {
            hashes: Arc::new(hashes),
        }
    }

    /// The address of `file` (e.g. `signup.js`) under `/pkg/`.
    pub fn href(&self, file: &str) -> String {
        match (self.hashes.get(file), file.rsplit_once('.')) {
            (Some(hash), Some((stem, ext))) => format!("/pkg/{stem}.{hash}.{ext}"),
            _ => format!("/pkg/{file}"),
        }
    }
}

/// The address of `file` for the page being rendered.
pub fn href(file: &str) -> String {
    use_context::<Assets>().unwrap_or_default().href(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_carry_the_hash_and_unknown_files_keep_theirs() {
        let assets = Assets::from_manifest(
            "js: 00aa\nsignup.js: 1f2e3d\n\nbroken line\nmm_portal.css: 77\n",
        );
        assert_eq!(assets.href("signup.js"), "/pkg/signup.1f2e3d.js");
        assert_eq!(assets.href("mm_portal.css"), "/pkg/mm_portal.77.css");
        assert_eq!(assets.href("status.js"), "/pkg/status.js");
        assert_eq!(Assets::default().href("signup.js"), "/pkg/signup.js");
    }
}
