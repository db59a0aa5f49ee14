// SPDX-License-Identifier: Apache-2.0
//! in_file_tail_rs: a danube-connectd source plugin written in Rust with the
//! `danube-connectd-plugin` SDK. It follows a file like `tail -F` and publishes every complete
//! line as one record. The source offset of a record is the byte position just past its line,
//! so after a restart the daemon hands back the last acknowledged position and the plugin goes
//! on from there: nothing lost, nothing published twice after a clean stop. Rotation (the path
//! now names a new file) and truncation (copytruncate) start over at byte 0 of the new content.
//!
//! ```toml
//! plugin = "in_file_tail_rs"
//! [file_tail]
//! path = "/var/log/app/events.log"
//! topic = "/default/app-events"
//! format = "json"            # string (default), json, bytes
//! ```

use std::fs::File;
use std::io::{ErrorKind, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use danube_connectd_plugin::serde_json::{self, json, Value};
use danube_connectd_plugin::{
    export_source_plugin, ConnectorConfig, ConnectorError, ConnectorResult, Offset, PluginContext, ProducerConfig,
    SourceConnector, SourceRecord,
};

const READ_CHUNK: usize = 64 * 1024;
/// How often a poll that found nothing looks at the file again, within the poll timeout.
const RECHECK: Duration = Duration::from_millis(20);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Format {
    #[default]
    String,
    Json,
    Bytes,
}

#[derive(Debug, Clone, Default)]
struct Settings {
    path: PathBuf,
    topic: String,
    partitions: usize,
    reliable: bool,
    format: Format,
    /// Only for the file found at startup: a file that appears (or replaces it) later is read whole.
    start_at_end: bool,
    max_line_bytes: usize,
    key_field: Option<String>,
    offset_partition: String,
    /// Test hook: a line equal to this text makes poll() panic (shows the SDK's panic barrier).
    panic_on_line: Option<String>,
}

fn config_schema() -> Value {
    json!({
        "type": "object",
        "required": ["file_tail"],
        "properties": {
            "file_tail": {
                "type": "object",
                "required": ["path", "topic"],
                "additionalProperties": false,
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "topic": {"type": "string"},
                    "partitions": {"type": "integer", "minimum": 0, "maximum": 1024},
                    "reliable": {"type": "boolean"},
                    "format": {"enum": ["string", "json", "bytes"]},
                    "start_at": {"enum": ["beginning", "end"]},
                    "max_line_bytes": {"type": "integer", "minimum": 1, "maximum": 8388608},
                    "key_field": {"type": "string"},
                    "offset_partition": {"type": "string", "minLength": 1},
                    "panic_on_line": {"type": "string"}
                }
            }
        }
    })
}

impl Settings {
    fn parse(section: &Value) -> ConnectorResult<Settings> {
        let text = |key: &str| section.get(key).and_then(Value::as_str).map(str::to_string);
        let path = text("path").ok_or_else(|| ConnectorError::config("file_tail.path is required"))?;
        let topic = text("topic").ok_or_else(|| ConnectorError::config("file_tail.topic is required"))?;
        let format = match text("format").as_deref() {
            None | Some("string") => Format::String,
            Some("json") => Format::Json,
            Some("bytes") => Format::Bytes,
            Some(other) => {
                return Err(ConnectorError::config(format!(
                    "file_tail.format: unknown format '{other}'"
                )))
            }
        };
        let start_at_end = match text("start_at").as_deref() {
            None | Some("beginning") => false,
            Some("end") => true,
            Some(other) => return Err(ConnectorError::config(format!("file_tail.start_at: '{other}'"))),
        };
        let key_field = text("key_field");
        if key_field.is_some() && format != Format::Json {
            return Err(ConnectorError::config("file_tail.key_field needs format = \"json\""));
        }
        Ok(Settings {
            offset_partition: text("offset_partition").unwrap_or_else(|| path.clone()),
            path: PathBuf::from(path),
            topic,
            partitions: section.get("partitions").and_then(Value::as_u64).unwrap_or(0) as usize,
            reliable: section.get("reliable").and_then(Value::as_bool).unwrap_or(true),
            format,
            start_at_end,
            max_line_bytes: section
                .get("max_line_bytes")
                .and_then(Value::as_u64)
                .unwrap_or(1 << 20)
                .max(1) as usize,
            key_field,
            panic_on_line: text("panic_on_line"),
        })
    }
}

/// The open file and where reading stands in it.
struct Tail {
    file: File,
    inode: u64,
    /// Byte position of `buf[0]`: the start of the next line.
    pos: u64,
    /// Bytes read past `pos` that do not make a complete line yet.
    buf: Vec<u8>,
}

#[derive(Default)]
pub struct FileTail {
    s: Settings,
    ctx: Option<PluginContext>,
    tail: Option<Tail>,
    /// The committed position of an earlier run, with the inode it belongs to.
    resume: Option<(u64, Option<u64>)>,
    waiting_logged: bool,
    lines: u64,
    skipped: u64,
    committed: Option<u64>,
    last_error: Option<String>,
}

fn parse_inode(metadata: Option<&str>) -> Option<u64> {
    metadata?.strip_prefix("ino=")?.parse().ok()
}

impl FileTail {
    fn ctx(&self) -> &PluginContext {
        self.ctx.as_ref().expect("initialize() ran")
    }

    /// Opens the file when it exists, at the resume position, the end or the start.
    fn open(&mut self) -> ConnectorResult<bool> {
        let file = match File::open(&self.s.path) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                self.s.start_at_end = false;
                if !self.waiting_logged {
                    self.ctx()
                        .info(format!("file_tail: waiting for {} to appear", self.s.path.display()));
                    self.waiting_logged = true;
                }
                return Ok(false);
            }
            Err(e) => return Err(self.io_error("cannot open", e)),
        };
        let meta = file.metadata().map_err(|e| self.io_error("cannot stat", e))?;
        let inode = meta.ino();
        let pos = match self.resume.take() {
            Some((value, ino)) if ino.is_none_or(|i| i == inode) && value <= meta.len() => value,
            Some((value, _)) => {
                self.ctx().warn(format!(
                    "file_tail: {} was replaced or truncated since position {value} was committed; reading it from the start",
                    self.s.path.display()
                ));
                0
            }
            None if self.s.start_at_end => meta.len(),
            None => 0,
        };
        self.s.start_at_end = false;
        self.ctx()
            .info(format!("file_tail: reading {} from byte {pos}", self.s.path.display()));
        let mut tail = Tail {
            file,
            inode,
            pos,
            buf: Vec::new(),
        };
        tail.file
            .seek(SeekFrom::Start(pos))
            .map_err(|e| self.io_error("cannot seek", e))?;
        self.tail = Some(tail);
        self.waiting_logged = false;
        Ok(true)
    }

    fn io_error(&mut self, what: &str, e: std::io::Error) -> ConnectorError {
        let message = format!("file_tail: {what} {}: {e}", self.s.path.display());
        self.last_error = Some(message.clone());
        ConnectorError::retryable(message)
    }

    /// After the open file is read to its end: a new file at the path (rotation) is taken up
    /// from byte 0; a file shorter than the position (truncation) is read again from byte 0.
    fn follow_rotation(&mut self) -> ConnectorResult<()> {
        let Some(tail) = self.tail.as_mut() else { return Ok(()) };
        let len = tail.file.metadata().map(|m| m.len()).unwrap_or(0);
        if len < tail.pos + tail.buf.len() as u64 {
            tail.pos = 0;
            tail.buf.clear();
            if let Err(e) = tail.file.seek(SeekFrom::Start(0)) {
                return Err(self.io_error("cannot seek", e));
            }
            self.ctx().warn(format!(
                "file_tail: {} was truncated; reading it from the start",
                self.s.path.display()
            ));
            return Ok(());
        }
        match std::fs::metadata(&self.s.path) {
            Ok(m) if m.ino() != tail.inode => {
                let dropped = tail.buf.len();
                if dropped > 0 {
                    self.ctx().warn(format!(
                        "file_tail: {} was rotated; {dropped} bytes after the last newline of the old file are dropped",
                        self.s.path.display()
                    ));
                }
                self.tail = None;
                self.open()?;
            }
            _ => {} // the same file, or gone for now (a new one may appear): keep reading the open one
        }
        Ok(())
    }

    /// Reads complete lines into records, at most `max`.
    fn read_lines(&mut self, max: usize) -> ConnectorResult<Vec<SourceRecord>> {
        let mut out = Vec::new();
        if self.tail.is_none() && !self.open()? {
            return Ok(out);
        }
        let mut chunk = vec![0u8; READ_CHUNK];
        let mut consumed = 0; // bytes of tail.buf already turned into records
        let mut eof = false;
        while out.len() < max {
            let tail = self.tail.as_mut().expect("open");
            let line_end = tail.buf[consumed..]
                .iter()
                .position(|&b| b == b'\n')
                .map(|i| consumed + i);
            let max_line = self.s.max_line_bytes;
            let (line_len, next) = match line_end {
                Some(nl) if nl - consumed <= max_line => (nl - consumed, nl + 1),
                // An over-long line goes out in pieces of max_line_bytes.
                Some(_) => (max_line, consumed + max_line),
                None if tail.buf.len() - consumed >= max_line => (max_line, consumed + max_line),
                None if eof => break,
                None => {
                    let n = match tail.file.read(&mut chunk) {
                        Ok(n) => n,
                        Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                        Err(e) => return Err(self.io_error("cannot read", e)),
                    };
                    eof = n == 0;
                    tail.buf.extend_from_slice(&chunk[..n]);
                    continue;
                }
            };
            let start = tail.pos + consumed as u64;
            let end = tail.pos + next as u64;
            let mut line = &tail.buf[consumed..consumed + line_len];
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            let (line, inode) = (line.to_vec(), tail.inode);
            let record = self.make_record(&line, start, end, inode)?;
            consumed = next;
            if let Some(r) = record {
                out.push(r);
            }
        }
        let tail = self.tail.as_mut().expect("open");
        tail.buf.drain(..consumed);
        tail.pos += consumed as u64;
        if out.is_empty() && eof {
            self.follow_rotation()?;
        }
        self.last_error = None;
        Ok(out)
    }

    fn make_record(&mut self, line: &[u8], start: u64, end: u64, inode: u64) -> ConnectorResult<Option<SourceRecord>> {
        if self.s.panic_on_line.as_deref().is_some_and(|p| p.as_bytes() == line) {
            panic!(
                "file_tail: panic_on_line matched the line at byte {start} of {}",
                self.s.path.display()
            );
        }
        let topic = self.s.topic.as_str();
        let mut key = None;
        let record = match self.s.format {
            Format::Bytes => SourceRecord::from_bytes(topic, line.to_vec()),
            Format::String => match std::str::from_utf8(line) {
                Ok(text) => SourceRecord::from_string(topic, text),
                Err(e) => return Ok(self.skip(start, &format!("not UTF-8 ({e})"))),
            },
            Format::Json => {
                if line.iter().all(u8::is_ascii_whitespace) {
                    return Ok(None); // blank lines carry no JSON value
                }
                match serde_json::from_slice::<Value>(line) {
                    Ok(value) => {
                        if let Some(field) = &self.s.key_field {
                            key = match value.get(field) {
                                Some(Value::String(s)) => Some(s.clone()),
                                Some(v @ Value::Number(_)) => Some(v.to_string()),
                                _ => None,
                            };
                        }
                        SourceRecord::new(topic, value)
                    }
                    Err(e) => return Ok(self.skip(start, &format!("not JSON ({e})"))),
                }
            }
        };
        self.lines += 1;
        let mut record = record
            .with_attribute("file.path", self.s.path.display().to_string())
            .with_attribute("file.offset", start.to_string())
            .with_offset(Offset::with_metadata(
                &self.s.offset_partition,
                end,
                format!("ino={inode}"),
            ));
        if let Some(k) = key {
            record = record.with_key(k);
        }
        Ok(Some(record))
    }

    /// A line that cannot become a record: logged and left out (the next record's offset covers it).
    fn skip(&mut self, start: u64, why: &str) -> Option<SourceRecord> {
        self.skipped += 1;
        if self.skipped <= 10 || self.skipped.is_power_of_two() {
            self.ctx().warn(format!(
                "file_tail: skipped the line at byte {start} of {}: {why} ({} skipped so far)",
                self.s.path.display(),
                self.skipped
            ));
        }
        None
    }
}

impl SourceConnector for FileTail {
    fn initialize(&mut self, config: ConnectorConfig) -> ConnectorResult<()> {
        self.s = Settings::parse(config.section("file_tail")?)?;
        self.ctx = Some(config.context());
        if let Some(o) = config.committed_offset(&self.s.offset_partition) {
            self.resume = Some((o.value, parse_inode(o.metadata.as_deref())));
            self.ctx().info(format!(
                "file_tail: resuming {} at committed byte {}",
                self.s.path.display(),
                o.value
            ));
        }
        Ok(())
    }

    fn producer_configs(&self) -> ConnectorResult<Vec<ProducerConfig>> {
        Ok(vec![ProducerConfig::new(
            &self.s.topic,
            self.s.partitions,
            self.s.reliable,
        )])
    }

    fn poll(&mut self) -> ConnectorResult<Vec<SourceRecord>> {
        let ctx = self.ctx().clone();
        let max = ctx.max_records().max(1) as usize;
        let deadline = Instant::now() + ctx.poll_timeout().min(Duration::from_secs(1));
        loop {
            let records = self.read_lines(max)?;
            if !records.is_empty() || ctx.stop_requested() || Instant::now() >= deadline {
                return Ok(records);
            }
            // Nothing new: look again shortly, but return at once when the host stops.
            if ctx.wait_for_stop(RECHECK.min(deadline.saturating_duration_since(Instant::now()))) {
                return Ok(records);
            }
        }
    }

    fn commit(&mut self, offsets: Vec<Offset>) -> ConnectorResult<()> {
        for o in offsets.iter().filter(|o| o.partition == self.s.offset_partition) {
            self.committed = Some(o.value);
        }
        Ok(())
    }

    fn health_check(&self) -> ConnectorResult<()> {
        match &self.last_error {
            Some(e) => Err(ConnectorError::retryable(e.clone())),
            None => Ok(()),
        }
    }

    fn shutdown(&mut self) -> ConnectorResult<()> {
        if let Some(ctx) = &self.ctx {
            let at = self.tail.as_ref().map_or(0, |t| t.pos);
            ctx.info(format!(
                "file_tail shut down after {} lines ({} skipped), at byte {at} of {}, committed {:?}",
                self.lines,
                self.skipped,
                self.s.path.display(),
                self.committed
            ));
        }
        self.tail = None;
        Ok(())
    }

    fn config_schema(&self) -> Option<Value> {
        Some(config_schema())
    }
}

export_source_plugin!(
    FileTail,
    "in_file_tail_rs",
    "File tail source (Rust)",
    env!("CARGO_PKG_VERSION"),
    "publishes each line appended to a file; resumes at the committed byte position"
);

#[cfg(test)]
mod tests {
    use super::*;
    use danube_connectd_plugin::Payload;
    use std::io::Write;

    struct TempFile(PathBuf);
    impl TempFile {
        fn new(name: &str) -> TempFile {
            let dir = std::env::temp_dir().join(format!("in_file_tail_rs-{}-{name}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            TempFile(dir.join("input.log"))
        }
        fn append(&self, text: &[u8]) {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.0)
                .unwrap()
                .write_all(text)
                .unwrap();
        }
    }
    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(self.0.parent().unwrap());
        }
    }

    fn tail(file: &TempFile, extra: Value, offsets: Value) -> FileTail {
        let mut section = json!({"path": file.0, "topic": "/default/lines"});
        section
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let config = ConnectorConfig::from_json(json!({"file_tail": section}), json!({"offsets": offsets})).unwrap();
        let mut t = FileTail::default();
        t.initialize(config).unwrap();
        t
    }

    fn texts(records: &[SourceRecord]) -> Vec<String> {
        records
            .iter()
            .map(|r| r.payload().as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn publishes_complete_lines_with_the_end_position_as_offset() {
        let f = TempFile::new("lines");
        f.append(b"one\ntwo\r\nthr");
        let mut t = tail(&f, json!({}), json!([]));
        let r = t.read_lines(100).unwrap();
        assert_eq!(texts(&r), ["one", "two"]);
        assert_eq!(r[0].offset().unwrap().value, 4);
        assert_eq!(r[1].offset().unwrap().value, 9);
        assert_eq!(r[1].attributes()["file.offset"], "4");
        assert!(t.read_lines(100).unwrap().is_empty()); // "thr" waits for its newline
        f.append(b"ee\n");
        let r = t.read_lines(100).unwrap();
        assert_eq!(texts(&r), ["three"]);
        assert_eq!(r[0].offset().unwrap().value, 15);
    }

    #[test]
    fn stops_at_max_records_and_goes_on_from_there() {
        let f = TempFile::new("max");
        f.append(b"a\nb\nc\n");
        let mut t = tail(&f, json!({}), json!([]));
        assert_eq!(texts(&t.read_lines(2).unwrap()), ["a", "b"]);
        assert_eq!(texts(&t.read_lines(2).unwrap()), ["c"]);
    }

    #[test]
    fn resumes_at_a_committed_position_of_the_same_file() {
        let f = TempFile::new("resume");
        f.append(b"a\nb\nc\n");
        let ino = std::fs::metadata(&f.0).unwrap().ino();
        let path = f.0.display().to_string();
        let mut t = tail(
            &f,
            json!({}),
            json!([{"partition": path, "value": 4, "metadata": format!("ino={ino}")}]),
        );
        assert_eq!(texts(&t.read_lines(10).unwrap()), ["c"]);
        // Another inode: the file was replaced, so it is read from the start.
        let mut t = tail(
            &f,
            json!({}),
            json!([{"partition": path, "value": 4, "metadata": "ino=1"}]),
        );
        assert_eq!(texts(&t.read_lines(10).unwrap()), ["a", "b", "c"]);
    }

    #[test]
    fn json_lines_become_json_records_and_bad_ones_are_skipped() {
        let f = TempFile::new("json");
        f.append(b"{\"id\":\"u1\",\"n\":1}\nnot json\n\n{\"id\":7}\n");
        let mut t = tail(&f, json!({"format": "json", "key_field": "id"}), json!([]));
        let r = t.read_lines(10).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].payload(), &Payload::Json(json!({"id": "u1", "n": 1})));
        assert_eq!(r[0].key(), Some("u1"));
        assert_eq!(r[1].key(), Some("7"));
        assert_eq!(t.skipped, 1);
    }

    #[test]
    fn follows_truncation_and_rotation() {
        let f = TempFile::new("rotate");
        f.append(b"a\nb\n");
        let mut t = tail(&f, json!({}), json!([]));
        assert_eq!(texts(&t.read_lines(10).unwrap()), ["a", "b"]);
        std::fs::write(&f.0, b"").unwrap(); // copytruncate
        assert!(t.read_lines(10).unwrap().is_empty());
        f.append(b"c\n");
        assert_eq!(texts(&t.read_lines(10).unwrap()), ["c"]);
        let rotated = f.0.with_extension("1");
        std::fs::rename(&f.0, &rotated).unwrap();
        f.append(b"d\n"); // a new file at the path
        assert!(t.read_lines(10).unwrap().is_empty()); // old file at its end: switch
        let r = t.read_lines(10).unwrap();
        assert_eq!(texts(&r), ["d"]);
        assert_eq!(r[0].offset().unwrap().value, 2);
    }

    #[test]
    fn start_at_end_skips_only_what_the_file_held_at_startup() {
        let f = TempFile::new("end");
        f.append(b"old\n");
        let mut t = tail(&f, json!({"start_at": "end"}), json!([]));
        assert!(t.read_lines(10).unwrap().is_empty());
        f.append(b"new\n");
        assert_eq!(texts(&t.read_lines(10).unwrap()), ["new"]);
        // A file that appears after startup is read from its first line.
        let g = TempFile::new("end-later");
        let mut t = tail(&g, json!({"start_at": "end"}), json!([]));
        assert!(t.read_lines(10).unwrap().is_empty());
        g.append(b"first\n");
        assert_eq!(texts(&t.read_lines(10).unwrap()), ["first"]);
    }

    #[test]
    fn over_long_lines_come_in_pieces() {
        let f = TempFile::new("long");
        f.append(b"abcdefgh\n");
        let mut t = tail(&f, json!({"max_line_bytes": 3}), json!([]));
        assert_eq!(texts(&t.read_lines(10).unwrap()), ["abc", "def", "gh"]);
    }

    #[test]
    fn the_schema_rejects_what_initialize_rejects() {
        let schema = config_schema();
        assert_eq!(schema["properties"]["file_tail"]["required"], json!(["path", "topic"]));
        let config = ConnectorConfig::from_json(
            json!({"file_tail": {"path": "/x", "topic": "/default/t", "format": "xml"}}),
            json!({}),
        )
        .unwrap();
        assert!(matches!(
            FileTail::default().initialize(config),
            Err(ConnectorError::Configuration(_))
        ));
    }
}
