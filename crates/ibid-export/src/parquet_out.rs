//! Parquet output through the parquet crate's low-level column writers.
//!
//! The arrow-based writer would be shorter to call but pulls the whole arrow stack into the
//! build (several minutes on a 2-core machine); the column API needs only explicit Dremel
//! definition/repetition levels, which are simple for our flat rows and single-level lists.

use std::io::Write;
use std::sync::Arc;

use ibid_store::{AlignmentRow, ArticleRow, EntityRow, QuoteRow, StoryRow};
use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::errors::Result;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

/// Microseconds since the Unix epoch (UTC) of an RFC 3339 time, for Parquet's `TIMESTAMP`
/// columns; `None` (a null) for anything else. The store only holds times the clean stage
/// parsed and trusted, so a null here means the field was null.
fn timestamp_micros(rfc3339: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|t| t.timestamp_micros())
}

/// Rows flushed per row group.
const ROW_GROUP: usize = 8192;

/// Values and levels of one leaf column.
#[derive(Default)]
pub struct Leaf {
    data: LeafData,
    def: Vec<i16>,
    rep: Vec<i16>,
    /// Whether the column has definition / repetition levels at all.
    levels: (bool, bool),
}

#[derive(Default)]
enum LeafData {
    #[default]
    None,
    Str(Vec<ByteArray>),
    I64(Vec<i64>),
    F64(Vec<f64>),
    Bool(Vec<bool>),
}

impl Leaf {
    fn new(data: LeafData, has_def: bool, has_rep: bool) -> Self {
        Self {
            data,
            levels: (has_def, has_rep),
            ..Self::default()
        }
    }
    /// A required string column.
    pub fn str() -> Self {
        Self::new(LeafData::Str(Vec::new()), false, false)
    }
    /// An optional string column.
    pub fn opt_str() -> Self {
        Self::new(LeafData::Str(Vec::new()), true, false)
    }
    /// A required list of strings (or a leaf of a required list of structs).
    pub fn list_str() -> Self {
        Self::new(LeafData::Str(Vec::new()), true, true)
    }
    /// A leaf of a required list of structs holding integers.
    pub fn list_i64() -> Self {
        Self::new(LeafData::I64(Vec::new()), true, true)
    }
    /// A required integer column.
    pub fn i64() -> Self {
        Self::new(LeafData::I64(Vec::new()), false, false)
    }
    /// An optional integer column.
    pub fn opt_i64() -> Self {
        Self::new(LeafData::I64(Vec::new()), true, false)
    }
    /// A required double column.
    pub fn f64() -> Self {
        Self::new(LeafData::F64(Vec::new()), false, false)
    }
    /// A required boolean column.
    pub fn bool() -> Self {
        Self::new(LeafData::Bool(Vec::new()), false, false)
    }

    fn push_str(&mut self, s: &str) {
        if let LeafData::Str(v) = &mut self.data {
            v.push(ByteArray::from(s.as_bytes().to_vec()));
        }
    }
    fn push_i64(&mut self, n: i64) {
        if let LeafData::I64(v) = &mut self.data {
            v.push(n);
        }
    }

    /// A required value.
    pub fn req(&mut self, s: &str) {
        self.push_str(s);
    }
    /// An optional value: definition level 1 when present, 0 when null.
    pub fn opt(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.push_str(s);
                self.def.push(1);
            }
            None => self.def.push(0),
        }
    }
    /// An optional integer.
    pub fn opt_int(&mut self, n: Option<i64>) {
        match n {
            Some(n) => {
                self.push_i64(n);
                self.def.push(1);
            }
            None => self.def.push(0),
        }
    }
    /// A required integer.
    pub fn int(&mut self, n: i64) {
        self.push_i64(n);
    }
    /// A required double.
    pub fn float(&mut self, x: f64) {
        if let LeafData::F64(v) = &mut self.data {
            v.push(x);
        }
    }
    /// A required boolean.
    pub fn boolean(&mut self, b: bool) {
        if let LeafData::Bool(v) = &mut self.data {
            v.push(b);
        }
    }
    /// One element list cell: an empty list is (def 0, rep 0) with no value; elements are
    /// def 1 with rep 0 for the first and 1 for the rest.
    fn list<T>(&mut self, items: &[T], mut value: impl FnMut(&mut Self, &T)) {
        if items.is_empty() {
            self.def.push(0);
            self.rep.push(0);
            return;
        }
        for (i, item) in items.iter().enumerate() {
            value(self, item);
            self.def.push(1);
            self.rep.push(i16::from(i > 0));
        }
    }
    /// A list of strings.
    pub fn strings(&mut self, items: &[String]) {
        self.list(items, |l, s| l.push_str(s));
    }

    fn clear(&mut self) {
        self.def.clear();
        self.rep.clear();
        match &mut self.data {
            LeafData::None => {}
            LeafData::Str(v) => v.clear(),
            LeafData::I64(v) => v.clear(),
            LeafData::F64(v) => v.clear(),
            LeafData::Bool(v) => v.clear(),
        }
    }
}

/// A row type with a Parquet schema.
pub trait ParquetRow {
    /// The message type, leaves in the order of [`ParquetRow::leaves`].
    const SCHEMA: &'static str;
    /// Empty leaf columns.
    fn leaves() -> Vec<Leaf>;
    /// Appends this row to the leaves.
    fn push(&self, leaves: &mut [Leaf]);
}

/// Writes rows as a Parquet file.
pub fn write<R: ParquetRow, W: Write + Send>(rows: &[R], out: W) -> Result<()> {
    let schema = Arc::new(parse_message_type(R::SCHEMA)?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build(),
    );
    let mut writer = SerializedFileWriter::new(out, schema, props)?;
    let mut leaves = R::leaves();
    for chunk in rows.chunks(ROW_GROUP) {
        for row in chunk {
            row.push(&mut leaves);
        }
        let mut group = writer.next_row_group()?;
        let mut i = 0;
        while let Some(mut col) = group.next_column()? {
            let leaf = &leaves[i];
            let def = leaf.levels.0.then_some(leaf.def.as_slice());
            let rep = leaf.levels.1.then_some(leaf.rep.as_slice());
            match &leaf.data {
                LeafData::Str(v) => {
                    col.typed::<ByteArrayType>().write_batch(v, def, rep)?;
                }
                LeafData::I64(v) => {
                    col.typed::<Int64Type>().write_batch(v, def, rep)?;
                }
                LeafData::F64(v) => {
                    col.typed::<DoubleType>().write_batch(v, def, rep)?;
                }
                LeafData::Bool(v) => {
                    col.typed::<BoolType>().write_batch(v, def, rep)?;
                }
                LeafData::None => {}
            }
            col.close()?;
            i += 1;
        }
        group.close()?;
        leaves.iter_mut().for_each(Leaf::clear);
    }
    writer.close()?;
    Ok(())
}

impl ParquetRow for ArticleRow {
    const SCHEMA: &'static str = "message article {
        REQUIRED BYTE_ARRAY id (UTF8);
        OPTIONAL BYTE_ARRAY outlet (UTF8);
        OPTIONAL BYTE_ARRAY url (UTF8);
        OPTIONAL INT64 published (TIMESTAMP(MICROS,true));
        OPTIONAL BYTE_ARRAY title (UTF8);
        OPTIONAL BYTE_ARRAY author (UTF8);
        OPTIONAL BYTE_ARRAY dateline (UTF8);
        REQUIRED BYTE_ARRAY text (UTF8);
        REQUIRED group removed (LIST) { REPEATED group list { REQUIRED BYTE_ARRAY element (UTF8); } }
        OPTIONAL BYTE_ARRAY story (UTF8);
        OPTIONAL BYTE_ARRAY storyline (UTF8);
        OPTIONAL BYTE_ARRAY duplicate_of (UTF8);
        REQUIRED INT64 version;
        OPTIONAL BYTE_ARRAY section (UTF8);
        REQUIRED group subheads (LIST) { REPEATED group list { REQUIRED BYTE_ARRAY element (UTF8); } }
        OPTIONAL BYTE_ARRAY published_precision (UTF8);
        OPTIONAL BYTE_ARRAY published_flag (UTF8);
        REQUIRED INT64 copies;
        REQUIRED BYTE_ARRAY source (UTF8);
        REQUIRED BYTE_ARRAY kind (UTF8);
        OPTIONAL BYTE_ARRAY kind_reason (UTF8);
        REQUIRED BYTE_ARRAY original (UTF8);
        REQUIRED group removed_lines (LIST) { REPEATED group list { REQUIRED group element {
            REQUIRED INT64 start;
            REQUIRED INT64 end;
            REQUIRED BYTE_ARRAY reason (UTF8);
            REQUIRED BYTE_ARRAY text (UTF8);
        } } }
    }";
    fn leaves() -> Vec<Leaf> {
        let mut v = vec![
            Leaf::str(),
            Leaf::opt_str(),
            Leaf::opt_str(),
            Leaf::opt_i64(),
        ];
        v.extend((0..3).map(|_| Leaf::opt_str()));
        v.push(Leaf::str());
        v.push(Leaf::list_str());
        v.extend((0..3).map(|_| Leaf::opt_str()));
        v.push(Leaf::i64());
        v.push(Leaf::opt_str());
        v.push(Leaf::list_str());
        v.push(Leaf::opt_str());
        v.push(Leaf::opt_str());
        v.push(Leaf::i64());
        v.push(Leaf::str());
        v.push(Leaf::str());
        v.push(Leaf::opt_str());
        v.push(Leaf::str());
        v.extend([
            Leaf::list_i64(),
            Leaf::list_i64(),
            Leaf::list_str(),
            Leaf::list_str(),
        ]);
        v
    }
    fn push(&self, l: &mut [Leaf]) {
        l[0].req(&self.id);
        l[1].opt(self.outlet.as_deref());
        l[2].opt(self.url.as_deref());
        l[3].opt_int(self.published.as_deref().and_then(timestamp_micros));
        l[4].opt(self.title.as_deref());
        l[5].opt(self.author.as_deref());
        l[6].opt(self.dateline.as_deref());
        l[7].req(&self.text);
        l[8].strings(&self.removed);
        l[9].opt(self.story.as_deref());
        l[10].opt(self.storyline.as_deref());
        l[11].opt(self.duplicate_of.as_deref());
        l[12].int(self.version);
        l[13].opt(self.section.as_deref());
        l[14].strings(&self.subheads);
        l[15].opt(self.published_precision.as_deref());
        l[16].opt(self.published_flag.as_deref());
        l[17].int(self.copies);
        l[18].req(&self.source);
        l[19].req(&self.kind);
        l[20].opt(self.kind_reason.as_deref());
        l[21].req(&self.original);
        // The four struct fields share the list's levels: one list cell per leaf.
        l[22].list(&self.removed_lines, |l, r| l.push_i64(r.start));
        l[23].list(&self.removed_lines, |l, r| l.push_i64(r.end));
        l[24].list(&self.removed_lines, |l, r| l.push_str(&r.reason));
        l[25].list(&self.removed_lines, |l, r| l.push_str(&r.text));
    }
}

impl ParquetRow for StoryRow {
    const SCHEMA: &'static str = "message story {
        REQUIRED BYTE_ARRAY id (UTF8);
        OPTIONAL BYTE_ARRAY storyline (UTF8);
        OPTIONAL BYTE_ARRAY title (UTF8);
        OPTIONAL INT64 first_published (TIMESTAMP(MICROS,true));
        REQUIRED group articles (LIST) { REPEATED group list { REQUIRED BYTE_ARRAY element (UTF8); } }
        REQUIRED group outlets (LIST) { REPEATED group list { REQUIRED BYTE_ARRAY element (UTF8); } }
        OPTIONAL BYTE_ARRAY first_outlet (UTF8);
        OPTIONAL INT64 last_published (TIMESTAMP(MICROS,true));
    }";
    fn leaves() -> Vec<Leaf> {
        vec![
            Leaf::str(),
            Leaf::opt_str(),
            Leaf::opt_str(),
            Leaf::opt_i64(),
            Leaf::list_str(),
            Leaf::list_str(),
            Leaf::opt_str(),
            Leaf::opt_i64(),
        ]
    }
    fn push(&self, l: &mut [Leaf]) {
        l[0].req(&self.id);
        l[1].opt(self.storyline.as_deref());
        l[2].opt(self.title.as_deref());
        l[3].opt_int(self.first_published.as_deref().and_then(timestamp_micros));
        l[4].strings(&self.articles);
        l[5].strings(&self.outlets);
        l[6].opt(self.first_outlet.as_deref());
        l[7].opt_int(self.last_published.as_deref().and_then(timestamp_micros));
    }
}

impl ParquetRow for AlignmentRow {
    const SCHEMA: &'static str = "message alignment {
        REQUIRED BYTE_ARRAY a (UTF8);
        REQUIRED INT64 a_start;
        REQUIRED INT64 a_end;
        REQUIRED BYTE_ARRAY b (UTF8);
        REQUIRED INT64 b_start;
        REQUIRED INT64 b_end;
        REQUIRED DOUBLE similarity;
        OPTIONAL BYTE_ARRAY passage (UTF8);
    }";
    fn leaves() -> Vec<Leaf> {
        vec![
            Leaf::str(),
            Leaf::i64(),
            Leaf::i64(),
            Leaf::str(),
            Leaf::i64(),
            Leaf::i64(),
            Leaf::f64(),
            Leaf::opt_str(),
        ]
    }
    fn push(&self, l: &mut [Leaf]) {
        l[0].req(&self.a);
        l[1].int(self.a_start);
        l[2].int(self.a_end);
        l[3].req(&self.b);
        l[4].int(self.b_start);
        l[5].int(self.b_end);
        l[6].float(self.similarity);
        l[7].opt(self.passage.as_deref());
    }
}

impl ParquetRow for QuoteRow {
    const SCHEMA: &'static str = "message quote {
        REQUIRED BYTE_ARRAY article (UTF8);
        REQUIRED INT64 start;
        REQUIRED INT64 end;
        REQUIRED BYTE_ARRAY text (UTF8);
        OPTIONAL BYTE_ARRAY speaker (UTF8);
        OPTIONAL INT64 speaker_start;
        OPTIONAL INT64 speaker_end;
        REQUIRED BOOLEAN direct;
        OPTIONAL BYTE_ARRAY statement (UTF8);
        REQUIRED DOUBLE confidence;
    }";
    fn leaves() -> Vec<Leaf> {
        vec![
            Leaf::str(),
            Leaf::i64(),
            Leaf::i64(),
            Leaf::str(),
            Leaf::opt_str(),
            Leaf::opt_i64(),
            Leaf::opt_i64(),
            Leaf::bool(),
            Leaf::opt_str(),
            Leaf::f64(),
        ]
    }
    fn push(&self, l: &mut [Leaf]) {
        l[0].req(&self.article);
        l[1].int(self.start);
        l[2].int(self.end);
        l[3].req(&self.text);
        l[4].opt(self.speaker.as_deref());
        l[5].opt_int(self.speaker_start);
        l[6].opt_int(self.speaker_end);
        l[7].boolean(self.direct);
        l[8].opt(self.statement.as_deref());
        l[9].float(self.confidence);
    }
}

impl ParquetRow for EntityRow {
    const SCHEMA: &'static str = "message entity {
        REQUIRED BYTE_ARRAY id (UTF8);
        REQUIRED BYTE_ARRAY name (UTF8);
        REQUIRED BYTE_ARRAY type (UTF8);
        REQUIRED group variants (LIST) { REPEATED group list { REQUIRED BYTE_ARRAY element (UTF8); } }
        REQUIRED group mentions (LIST) { REPEATED group list { REQUIRED group element {
            REQUIRED BYTE_ARRAY article (UTF8);
            REQUIRED INT64 start;
            REQUIRED INT64 end;
            REQUIRED BYTE_ARRAY text (UTF8);
        } } }
    }";
    fn leaves() -> Vec<Leaf> {
        vec![
            Leaf::str(),
            Leaf::str(),
            Leaf::str(),
            Leaf::list_str(),
            Leaf::list_str(),
            Leaf::list_i64(),
            Leaf::list_i64(),
            Leaf::list_str(),
        ]
    }
    fn push(&self, l: &mut [Leaf]) {
        l[0].req(&self.id);
        l[1].req(&self.name);
        l[2].req(&self.kind);
        l[3].strings(&self.variants);
        // The four struct fields share the list's levels: one list cell per leaf.
        l[4].list(&self.mentions, |l, m| l.push_str(&m.article));
        l[5].list(&self.mentions, |l, m| l.push_i64(m.start));
        l[6].list(&self.mentions, |l, m| l.push_i64(m.end));
        l[7].list(&self.mentions, |l, m| l.push_str(&m.text));
    }
}
