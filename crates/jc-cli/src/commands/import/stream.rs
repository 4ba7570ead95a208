//! The send pass: on a reader thread, the rows again (from the spool), valid records as a
//! stream for the SDK (shaped first when the command decides each row against JumpCloud), and
//! everything else on a side channel, in line order.

use super::input::{Checked, Rows};
use super::update::Shaped;
use jc_bulk::InputRecord;
use jc_models::Validate;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use tokio::sync::mpsc;

/// What becomes of a valid row, decided against JumpCloud as read before sending: an update's
/// difference ([`super::update::Plan`]), a create's managers ([`super::managers`]). It gets the
/// row's line, cells and record (as JSON) and gives the record to send, or why not.
pub type Shaper = Arc<
    dyn Fn(u64, &csv::StringRecord, serde_json::Map<String, serde_json::Value>) -> Shaped
        + Send
        + Sync,
>;

/// What the reader tells the import loop beside the records it hands the SDK, in line order.
#[derive(Debug)]
pub enum Side {
    /// A valid row handed to the SDK, with its cells (when the report or `--failed-rows` needs
    /// them).
    Raw(u64, csv::StringRecord),
    /// A valid row handed to the SDK (its cells not kept).
    Sent(u64),
    /// An invalid row, never sent: its cells and why.
    Rejected(u64, csv::StringRecord, String),
    /// A row whose user already holds what it asks: its cells and the user's id.
    Unchanged(u64, csv::StringRecord, String),
}

/// The second pass, on a reader thread: valid records as a stream for the SDK, and the rest
/// (invalid rows, and the cells of valid ones when `keep_raw`) on the side channel.
pub fn stream<R>(
    mut rows: Rows,
    checked: Checked,
    keep_raw: bool,
    buffer: usize,
    shaper: Option<Shaper>,
) -> (
    impl futures::Stream<Item = InputRecord<R>> + Send + 'static,
    mpsc::UnboundedReceiver<Side>,
)
where
    R: DeserializeOwned + Validate + serde::Serialize + Send + 'static,
{
    let (records, receiver) = mpsc::channel::<InputRecord<R>>(buffer.max(1));
    let (side, side_receiver) = mpsc::unbounded_channel();
    tokio::task::spawn_blocking(move || {
        while let Some(row) = rows.next_row::<R>() {
            let line = row.line;
            let outcome = match (checked.is_invalid(line), row.record, &shaper) {
                (false, Ok(record), Some(shaper)) => shaped(shaper, line, &row.raw, record),
                (false, Ok(record), None) => Ok(record),
                // Invalid against its user (found by the compare pass): the reason again.
                (true, Ok(record), Some(shaper)) => {
                    let duplicate = checked.reason(line, &[]);
                    match shaped(shaper, line, &row.raw, record) {
                        Err(Skipped::Refused(reason))
                            if duplicate == "invalid: " && reason.starts_with("invalid: ") =>
                        {
                            Err(Skipped::Refused(reason))
                        }
                        _ => Err(Skipped::Refused(duplicate)),
                    }
                }
                (_, record, _) => {
                    let problems = record.err().unwrap_or_default();
                    Err(Skipped::Refused(checked.reason(line, &problems)))
                }
            };
            let sent = match outcome {
                Err(Skipped::Unchanged(id)) => {
                    side.send(Side::Unchanged(line, row.raw, id)).is_ok()
                }
                Err(Skipped::Refused(reason)) => {
                    side.send(Side::Rejected(line, row.raw, reason)).is_ok()
                }
                Ok(record) => {
                    let _ = side.send(match keep_raw {
                        true => Side::Raw(line, row.raw),
                        false => Side::Sent(line),
                    });
                    let item = InputRecord {
                        position: line,
                        record,
                    };
                    records.blocking_send(item).is_ok()
                }
            };
            if !sent {
                break;
            }
        }
    });
    let stream = futures::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    (stream, side_receiver)
}

/// Why a valid row is not handed to the SDK.
enum Skipped {
    Unchanged(String),
    Refused(String),
}

impl From<String> for Skipped {
    fn from(reason: String) -> Self {
        Self::Refused(reason)
    }
}

/// A valid row as the shaper decides: the record to send (checked again), or why not.
fn shaped<R>(shaper: &Shaper, line: u64, raw: &csv::StringRecord, record: R) -> Result<R, Skipped>
where
    R: DeserializeOwned + Validate + serde::Serialize,
{
    let serde_json::Value::Object(object) =
        serde_json::to_value(&record).map_err(|e| e.to_string())?
    else {
        return Err(Skipped::Refused(
            "invalid: the record is not an object".into(),
        ));
    };
    let id = object
        .get("id")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let object = match shaper(line, raw, object) {
        Shaped::Send(object) => object,
        Shaped::Unchanged => return Err(Skipped::Unchanged(id)),
        Shaped::NotSubmitted(reason) => return Err(Skipped::Refused(reason)),
        Shaped::Invalid(column, message) => {
            let column = column.map(|c| format!("{c}: ")).unwrap_or_default();
            return Err(Skipped::Refused(format!("invalid: {column}{message}")));
        }
    };
    let record: R = serde_json::from_value(serde_json::Value::Object(object))
        .map_err(|e| format!("invalid: {e}"))?;
    record.validate().map_err(|v| format!("invalid: {v}"))?;
    Ok(record)
}
