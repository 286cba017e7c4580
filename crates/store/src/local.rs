//! Local file-system operations. Blocking I/O runs on tokio's blocking pool.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::StoreError;
use crate::location::Location;

/// Temporary files start with this, so listings can skip writes still in progress.
pub(crate) const TEMP_PREFIX: &str = ".selecta-tmp-";

/// Run blocking file-system work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => unreachable!("blocking file task cancelled: {e}"),
    }
}

pub(crate) async fn get(path: &Path) -> Result<Vec<u8>, StoreError> {
    let path = path.to_path_buf();
    blocking(move || fs::read(&path).map_err(|e| StoreError::io(&Location::Local(path), "read", e)))
        .await
}

/// A token that changes when the file does: its length and modification time (nanoseconds).
/// A file replaced by [`write_atomic`] gets a new one.
pub(crate) async fn version(path: &Path) -> Result<Option<String>, StoreError> {
    let path = path.to_path_buf();
    blocking(move || {
        let meta = fs::metadata(&path)
            .map_err(|e| StoreError::io(&Location::Local(path.clone()), "read its metadata", e))?;
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        Ok(Some(format!("{}-{modified}", meta.len())))
    })
    .await
}

pub(crate) async fn put(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let (path, bytes) = (path.to_path_buf(), bytes.to_vec());
    blocking(move || write_atomic(&path, &bytes)).await
}

/// Write to a temporary file in the target's directory, flush it to disk, then rename it over
/// the target: readers see the old file or the new one, never a half-written one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let loc = Location::Local(path.to_path_buf());
    let file_name = path
        .file_name()
        .ok_or_else(|| StoreError::InvalidLocation {
            input: path.display().to_string(),
            reason: "the path names no file to write".into(),
        })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).map_err(|e| StoreError::io(&loc, "create the parent directory", e))?;

    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", file_name.to_string_lossy()))
        .tempfile_in(&dir)
        .map_err(|e| StoreError::io(&loc, "create a temporary file beside it", e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| StoreError::io(&loc, "write a temporary file beside it", e))?;
    set_permissions(tmp.path(), path);
    // On failure the temporary file is removed when `persist`'s error drops it.
    tmp.persist(path)
        .map_err(|e| StoreError::io(&loc, "rename the temporary file into place", e.error))?;
    // Make the rename itself durable; failure here only weakens crash safety, so it is ignored.
    if let Ok(d) = fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Temporary files are private (0600); give the result the old file's mode, or 0644.
fn set_permissions(tmp: &Path, target: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(target)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0o644);
        let _ = fs::set_permissions(tmp, fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = (tmp, target);
}

/// Files under `dir`, as `/`-separated paths relative to it, sorted. Temporary files of
/// writes in progress are skipped; symlinked directories are not followed (no loops).
pub(crate) async fn list(dir: &Path) -> Result<Vec<String>, StoreError> {
    let dir = dir.to_path_buf();
    blocking(move || {
        let meta = fs::metadata(&dir)
            .map_err(|e| StoreError::io(&Location::Local(dir.clone()), "list", e))?;
        if !meta.is_dir() {
            return Err(StoreError::InvalidLocation {
                input: dir.display().to_string(),
                reason: "not a directory, so it cannot be listed".into(),
            });
        }
        let mut keys = Vec::new();
        walk(&dir, "", &mut keys)?;
        keys.sort();
        Ok(keys)
    })
    .await
}

fn walk(dir: &Path, rel: &str, keys: &mut Vec<String>) -> Result<(), StoreError> {
    let loc = Location::Local(dir.to_path_buf());
    let entries = fs::read_dir(dir).map_err(|e| StoreError::io(&loc, "list", e))?;
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io(&loc, "list", e))?;
        let path = entry.path();
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            return Err(StoreError::NonUtf8Name {
                location: Location::Local(path),
            });
        };
        if name.starts_with(TEMP_PREFIX) {
            continue;
        }
        let key = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let kind = entry
            .file_type()
            .map_err(|e| StoreError::io(&Location::Local(path.clone()), "list", e))?;
        if kind.is_dir() {
            walk(&path, &key, keys)?;
        } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
            keys.push(key);
        }
    }
    Ok(())
}

/// Read `(relative key, path)` pairs in order.
pub(crate) async fn get_many(
    items: Vec<(String, PathBuf)>,
) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    blocking(move || {
        items
            .into_iter()
            .map(|(rel, path)| match fs::read(&path) {
                Ok(bytes) => Ok((rel, bytes)),
                Err(e) => Err(StoreError::io(&Location::Local(path), "read", e)),
            })
            .collect()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomic_replaces_content_and_keeps_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.bin");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o644);
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
            write_atomic(&path, b"third").unwrap();
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.bin")]);
    }

    #[test]
    fn write_atomic_refuses_a_path_without_file_name() {
        let err = write_atomic(Path::new("/"), b"x").unwrap_err().to_string();
        assert!(err.contains("names no file"), "{err}");
    }
}
