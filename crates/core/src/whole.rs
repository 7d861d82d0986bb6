//! A whole body in one allocation. A caller that wants every byte (`arrayBuffer()`, `text()`,
//! `json()`) gets the rest of the body as one `Vec<u8>`, sized from `Content-Length` when the
//! server declared it, so each byte is copied once, off the caller's thread, and nothing of
//! the connection's buffers is kept alive by the result.

use crate::body::Body;
use crate::error::Error;

/// The most bytes reserved up front from a declared `Content-Length`: a larger body grows
/// the buffer as it arrives, so a server that declares more than it sends cannot make the
/// client reserve it.
pub const WHOLE_RESERVE_MAX: usize = 64 * 1024 * 1024;

impl Body {
    /// Reads the rest of the body and returns it after `prefix` (bytes of this body the caller
    /// already holds, such as those that came with the head), in one allocation. A body that
    /// arrives as one piece with no prefix is handed over without a copy when its buffer is
    /// not shared. Reads are bounded by the read and total timeouts, as for [`Body::chunk`].
    ///
    /// ```no_run
    /// # async fn run(mut res: hyperhttp_core::Response) -> Result<(), hyperhttp_core::Error> {
    /// let bytes: Vec<u8> = res.body.read_to_end(Vec::new()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn read_to_end(&mut self, mut prefix: Vec<u8>) -> Result<Vec<u8>, Error> {
        let Some(first) = self.piece().await? else {
            return Ok(prefix);
        };
        if prefix.is_empty() && self.is_end() {
            return Ok(Vec::from(first));
        }
        let declared = self
            .exact_len()
            .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
        prefix.reserve_exact(first.len().saturating_add(declared).min(WHOLE_RESERVE_MAX));
        prefix.extend_from_slice(&first);
        while let Some(piece) = self.piece().await? {
            prefix.extend_from_slice(&piece);
        }
        Ok(prefix)
    }
}
