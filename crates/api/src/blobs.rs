//! Recordings (voicemail, greetings, hold music) live as files in a directory; the database
//! holds only their keys. A key is random, so a path can never be guessed or climbed out of.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct BlobStore {
    dir: PathBuf,
}

impl BlobStore {
    pub fn new(dir: impl Into<PathBuf>) -> BlobStore {
        BlobStore { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> Option<PathBuf> {
        let valid = key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit());
        // Two levels of fan-out keep directories small.
        valid.then(|| self.dir.join(&key[..2]).join(key))
    }

    /// Store bytes under a new key.
    pub async fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let mut raw = [0u8; 16];
        OsRng.fill_bytes(&mut raw);
        let key = hex::encode(raw);
        let path = self
            .path(&key)
            .ok_or_else(|| std::io::Error::other("bad blob key"))?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        // Write aside, then rename: a reader never sees half a file.
        let partial = path.with_extension("partial");
        tokio::fs::write(&partial, bytes).await?;
        tokio::fs::rename(&partial, &path).await?;
        Ok(key)
    }

    pub async fn open(&self, key: &str) -> std::io::Result<tokio::fs::File> {
        let path = self
            .path(key)
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?;
        tokio::fs::File::open(path).await
    }

    /// Remove a blob; a missing one is not an error (it is gone either way).
    pub async fn delete(&self, key: &str) {
        if let Some(path) = self.path(key)
            && let Err(e) = tokio::fs::remove_file(&path).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!("could not remove blob {key}: {e}");
        }
    }
}
