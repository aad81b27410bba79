//! Lists the golden vector files for the wasm tests, which cannot read the file system
//! at run time: every `tests/vectors/*.json` is embedded, so a new file is replayed in
//! wasm without anyone adding it to a list.
use std::{env, fs, path::Path};

fn main() {
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    println!("cargo:rerun-if-changed={}", vectors.display());
    let mut files: Vec<_> = fs::read_dir(&vectors)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let entries: String = files
        .iter()
        .map(|p| {
            let name = p.file_stem().unwrap_or_default().to_string_lossy();
            format!(
                "    ({name:?}, include_str!({:?})),\n",
                p.display().to_string()
            )
        })
        .collect();
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("vectors.rs");
    fs::write(out, format!("&[\n{entries}]\n")).expect("OUT_DIR is writable");
}
