//! Where an export's records go: a CSV writer (RFC 4180, CRLF line ends) into a buffer that is
//! handed on as a chunk every [`CHUNK_BYTES`], through a channel of [`CHUNKS_IN_FLIGHT`] chunks.
//! A slow reader makes the writer wait (and the database stream behind it), so an export holds at
//! most a few chunks in memory whatever its size; a reader that went away stops it.

use tokio::sync::mpsc;

use crate::error::{ApiError, ApiResult};

/// Bytes gathered before a chunk is handed on.
pub const CHUNK_BYTES: usize = 16 * 1024;
/// Chunks written but not yet read that an export may hold.
pub const CHUNKS_IN_FLIGHT: usize = 4;

/// The chunks of an export, in order; an error ends it.
pub type Chunks = mpsc::Receiver<ApiResult<Vec<u8>>>;

/// Why an export stopped early.
#[derive(Debug)]
pub enum Stop {
    /// Its reader went away.
    Gone,
    /// The database or the writer failed.
    Failed(ApiError),
}

impl From<sea_orm::DbErr> for Stop {
    fn from(e: sea_orm::DbErr) -> Self {
        Stop::Failed(e.into())
    }
}

impl From<csv::Error> for Stop {
    fn from(e: csv::Error) -> Self {
        Stop::Failed(ApiError::Internal(e.into()))
    }
}

/// A CSV writer into a fresh buffer.
fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(CHUNK_BYTES + 1024))
}

/// A cell a spreadsheet would not run as a formula (OWASP's "CSV injection"): text that people
/// typed (an organization's or a shelter's name) and that starts with `=`, `+`, `-`, `@`, a tab or
/// a carriage return gets a leading `'`; numbers (`-1.5`) are left as they are.
fn inert(cell: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let risky = matches!(
        cell.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    let number = std::str::from_utf8(cell).is_ok_and(|s| s.parse::<f64>().is_ok());
    if risky && !number {
        let mut safe = Vec::with_capacity(cell.len() + 1);
        safe.push(b'\'');
        safe.extend_from_slice(cell);
        safe.into()
    } else {
        cell.into()
    }
}

/// Writes records and sends them on in chunks.
pub struct Sink {
    csv: csv::Writer<Vec<u8>>,
    tx: mpsc::Sender<ApiResult<Vec<u8>>>,
    /// Whether a chunk has been handed on.
    sent: bool,
}

impl Sink {
    /// A sink and the chunks it will send.
    pub fn new() -> (Sink, Chunks) {
        let (tx, rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
        (
            Sink {
                csv: writer(),
                tx,
                sent: false,
            },
            rx,
        )
    }

    /// Writes one record; hands a chunk on once enough has gathered.
    pub async fn record<I, T>(&mut self, fields: I) -> Result<(), Stop>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        for field in fields {
            self.csv.write_field(inert(field.as_ref()))?;
        }
        self.csv.write_record(None::<&[u8]>)?;
        if self.csv.get_ref().len() >= CHUNK_BYTES {
            self.flush().await?;
        }
        Ok(())
    }

    /// Whether any of the export has been handed on (then it can no longer start again).
    pub fn sent(&self) -> bool {
        self.sent
    }

    /// Drops what has gathered but not been handed on, to write the export again.
    pub fn restart(&mut self) {
        self.csv = writer();
    }

    /// Hands on what has gathered.
    async fn flush(&mut self) -> Result<(), Stop> {
        let chunk = std::mem::replace(&mut self.csv, writer())
            .into_inner()
            .map_err(|e| Stop::Failed(ApiError::Internal(anyhow::anyhow!("{}", e.error()))))?;
        if chunk.is_empty() {
            return Ok(());
        }
        self.sent = true;
        self.tx.send(Ok(chunk)).await.map_err(|_| Stop::Gone)
    }

    /// Ends the export: the rest on success, the error (after what was sent) on failure.
    pub async fn finish(mut self, outcome: Result<(), Stop>) {
        let outcome = match outcome {
            Ok(()) => self.flush().await,
            failed => failed,
        };
        if let Err(Stop::Failed(err)) = outcome {
            if let ApiError::Internal(cause) = &err {
                tracing::error!(error = %format!("{cause:#}"), "an export failed");
            }
            let _ = self.tx.send(Err(err)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn formulas_are_made_inert_and_numbers_kept() {
        assert_eq!(&*inert(b"=HYPERLINK(\"x\")"), b"'=HYPERLINK(\"x\")");
        assert_eq!(&*inert(b"@SUM(A1)"), b"'@SUM(A1)");
        assert_eq!(&*inert(b"+7 708"), b"'+7 708");
        assert_eq!(&*inert(b"-1.5"), b"-1.5");
        assert_eq!(&*inert(b"Astana"), b"Astana");
        assert_eq!(&*inert(b"#org +name"), b"#org +name");
    }
}
