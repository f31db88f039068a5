//! The committed header `include/esehdr.h` is what cbindgen generates from `src/lib.rs`
//! (cbindgen is a dev-dependency, pinned by Cargo.lock, so every machine generates the same
//! bytes). `UPDATE_HEADER=1 cargo test -p esehdr-capi --test header` rewrites it.

use std::path::Path;

#[test]
fn committed_header_is_what_cbindgen_generates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut generated);
    let path = dir.join("include/esehdr.h");
    if std::env::var_os("UPDATE_HEADER").is_some() {
        std::fs::write(&path, &generated).expect("write include/esehdr.h");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/esehdr.h differs from what cbindgen generates; run \
         `UPDATE_HEADER=1 cargo test -p esehdr-capi --test header` and commit the result. Generated:\n{}",
        String::from_utf8_lossy(&generated)
    );
}
