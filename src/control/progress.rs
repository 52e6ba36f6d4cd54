//! [`Progress`]: reports of how far a module has streamed, the role of the
//! progress a browser sees on a response body.

/// The part of a module being read, by the name the Wasm spec gives it.
///
/// ```
/// use wasmstream::control::Section;
///
/// assert_eq!(Section::from_id(10), Some(Section::Code));
/// assert_eq!(Section::Code.name(), "code");
/// assert_eq!(Section::from_id(99), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    /// The 8-byte preamble: magic number and version.
    Header,
    /// A custom section (id 0), including the `name` section.
    Custom,
    /// The type section (id 1).
    Type,
    /// The import section (id 2).
    Import,
    /// The function section (id 3).
    Function,
    /// The table section (id 4).
    Table,
    /// The memory section (id 5).
    Memory,
    /// The global section (id 6).
    Global,
    /// The export section (id 7).
    Export,
    /// The start section (id 8).
    Start,
    /// The element section (id 9).
    Element,
    /// The code section (id 10).
    Code,
    /// The data section (id 11).
    Data,
    /// The data count section (id 12).
    DataCount,
    /// The tag section (id 13, exception handling).
    Tag,
}

impl Section {
    /// The section with binary id `id`, or `None` for an id the Wasm spec
    /// does not define.
    #[must_use]
    pub const fn from_id(id: u8) -> Option<Section> {
        Some(match id {
            0 => Section::Custom,
            1 => Section::Type,
            2 => Section::Import,
            3 => Section::Function,
            4 => Section::Table,
            5 => Section::Memory,
            6 => Section::Global,
            7 => Section::Export,
            8 => Section::Start,
            9 => Section::Element,
            10 => Section::Code,
            11 => Section::Data,
            12 => Section::DataCount,
            13 => Section::Tag,
            _ => return None,
        })
    }

    /// The section's name, lower case, as the Wasm spec writes it
    /// (`"header"` for the preamble).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Section::Header => "header",
            Section::Custom => "custom",
            Section::Type => "type",
            Section::Import => "import",
            Section::Function => "function",
            Section::Table => "table",
            Section::Memory => "memory",
            Section::Global => "global",
            Section::Export => "export",
            Section::Start => "start",
            Section::Element => "element",
            Section::Code => "code",
            Section::Data => "data",
            Section::DataCount => "data count",
            Section::Tag => "tag",
        }
    }
}

/// One progress report, made after a read.
///
/// ```
/// use wasmstream::control::{ProgressEvent, Section};
///
/// let event = ProgressEvent { received: 251, total: Some(502), section: Section::Code };
/// let percent = event.total.map(|total| event.received * 100 / total);
/// assert_eq!(percent, Some(50));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressEvent {
    /// Bytes of the module received so far.
    pub received: u64,
    /// The module's size when known (a `Content-Length`, a size hint).
    pub total: Option<u64>,
    /// The section the last byte received belongs to.
    pub section: Section,
}

/// Receives [`ProgressEvent`]s: a driver calls it at most once per read.
///
/// Implemented for any `FnMut(ProgressEvent)` and by [`NoProgress`], the
/// default, which compiles to nothing.
///
/// ```
/// use wasmstream::control::{Progress, ProgressEvent, Section};
///
/// let mut shown = Vec::new();
/// let mut show = |event: ProgressEvent| shown.push((event.received, event.total));
/// show.progress(ProgressEvent { received: 64, total: Some(502), section: Section::Type });
/// show.progress(ProgressEvent { received: 128, total: Some(502), section: Section::Code });
/// assert_eq!(shown, [(64, Some(502)), (128, Some(502))]);
/// ```
pub trait Progress {
    /// Reports how far the module has streamed.
    fn progress(&mut self, event: ProgressEvent);
}

impl<F: FnMut(ProgressEvent)> Progress for F {
    fn progress(&mut self, event: ProgressEvent) {
        self(event);
    }
}

/// Reports nothing: the default, which compiles to nothing.
///
/// ```
/// use wasmstream::control::{NoProgress, Progress, ProgressEvent, Section};
///
/// NoProgress.progress(ProgressEvent { received: 8, total: None, section: Section::Header });
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoProgress;

impl Progress for NoProgress {
    #[inline(always)]
    fn progress(&mut self, _event: ProgressEvent) {}
}
