//! [`Response`]: a body plus the two facts the Web API checks before
//! compiling — the HTTP status and the `Content-Type`.

use alloc::string::String;

use crate::error::TypeError;

/// Bytes of `Content-Type` kept. A longer value (after trimming) cannot be
/// `application/wasm`, so only what an error message quotes is kept.
const CONTENT_TYPE_CAPACITY: usize = 64;

/// A response body with its HTTP status and `Content-Type` header value.
///
/// [`check`](Self::check) applies the checks of the WebAssembly Web API's
/// `compileStreaming`, in its order: a missing `Content-Type` is a
/// [`TypeError`]; after trimming HTTP tabs and spaces, anything but an
/// ASCII-case-insensitive `application/wasm` is a `TypeError` (parameters
/// such as `;charset=` are not allowed); a status outside 200–299 is a
/// `TypeError`. An empty body is a compile error, found later.
///
/// ```
/// use wasmstream::{Response, TypeError};
///
/// let ok = Response::new(200, Some(b" Application/WASM\t"), &b""[..]);
/// assert_eq!(ok.check(), Ok(()));
///
/// let html = Response::new(200, Some(b"text/html"), &b""[..]);
/// assert_eq!(
///     html.check(),
///     Err(TypeError::WrongContentType { found: "text/html".into() })
/// );
/// ```
#[derive(Debug, Clone)]
pub struct Response<B> {
    status: u16,
    content_type: Option<heapless::Vec<u8, CONTENT_TYPE_CAPACITY>>,
    /// The trimmed value was longer than `CONTENT_TYPE_CAPACITY`.
    content_type_truncated: bool,
    body: B,
}

impl<B> Response<B> {
    /// A response with `status`, the raw `Content-Type` header value (`None`
    /// when the header is absent) and `body`.
    ///
    /// ```
    /// use wasmstream::Response;
    ///
    /// let response = Response::new(200, Some(b" application/wasm\t"), &b""[..]);
    /// assert_eq!(response.content_type(), Some(&b"application/wasm"[..]));
    /// assert!(Response::new(200, None, &b""[..]).content_type().is_none());
    /// ```
    #[must_use]
    pub fn new(status: u16, content_type: Option<&[u8]>, body: B) -> Self {
        let mut truncated = false;
        let content_type = content_type.map(|value| {
            let value = trim_http_whitespace(value);
            let kept = &value[..value.len().min(CONTENT_TYPE_CAPACITY)];
            truncated = kept.len() < value.len();
            heapless::Vec::from_slice(kept).unwrap_or_default()
        });
        Response {
            status,
            content_type,
            content_type_truncated: truncated,
            body,
        }
    }

    /// A `200` response with `Content-Type: application/wasm`: what a bare
    /// reader stands for.
    ///
    /// ```
    /// use wasmstream::{Config, Response, compile_streaming};
    ///
    /// let wasm = wat::parse_str(r#"(module (func (export "f")))"#)?;
    /// let response = Response::ok_wasm(&wasm[..]);
    /// assert_eq!((response.status(), response.check()), (200, Ok(())));
    /// let module = compile_streaming(&Config::new().engine(), response)?;
    /// assert!(module.wasmi().get_export("f").is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn ok_wasm(body: B) -> Self {
        Response::new(200, Some(b"application/wasm"), body)
    }

    /// The HTTP status.
    ///
    /// ```
    /// let response = wasmstream::Response::new(404, Some(b"text/html"), &b""[..]);
    /// assert_eq!(response.status(), 404);
    /// ```
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `Content-Type` value, trimmed of HTTP tabs and spaces (at most 64
    /// bytes of it), or `None` when the header is absent.
    ///
    /// ```
    /// let response = wasmstream::Response::new(200, Some(b"  text/html "), &b""[..]);
    /// assert_eq!(response.content_type(), Some(&b"text/html"[..]));
    /// ```
    #[must_use]
    pub fn content_type(&self) -> Option<&[u8]> {
        self.content_type.as_deref()
    }

    /// The body reader.
    ///
    /// ```
    /// let mut response = wasmstream::Response::ok_wasm(Vec::new());
    /// response.body_mut().extend_from_slice(b"\0asm");
    /// assert_eq!(response.body_mut().len(), 4);
    /// ```
    pub fn body_mut(&mut self) -> &mut B {
        &mut self.body
    }

    /// Unwraps the body reader.
    ///
    /// ```
    /// let response = wasmstream::Response::ok_wasm(vec![0, b'a', b's', b'm']);
    /// assert_eq!(response.into_body(), b"\0asm");
    /// ```
    #[must_use]
    pub fn into_body(self) -> B {
        self.body
    }

    /// The Web API's checks, in its order (see the type's documentation).
    ///
    /// # Errors
    ///
    /// The first failing check, as a [`TypeError`] quoting what was found.
    ///
    /// ```
    /// use wasmstream::{Response, TypeError};
    ///
    /// let server_error = Response::new(500, Some(b"application/wasm"), &b""[..]);
    /// assert_eq!(server_error.check(), Err(TypeError::BadStatus { status: 500 }));
    /// // The Content-Type is checked first.
    /// let both_wrong = Response::new(500, Some(b"application/wasm; charset=x"), &b""[..]);
    /// assert!(matches!(both_wrong.check(), Err(TypeError::WrongContentType { .. })));
    /// ```
    pub fn check(&self) -> Result<(), TypeError> {
        let Some(content_type) = &self.content_type else {
            return Err(TypeError::MissingContentType);
        };
        if self.content_type_truncated || !content_type.eq_ignore_ascii_case(b"application/wasm") {
            return Err(TypeError::WrongContentType {
                found: String::from_utf8_lossy(content_type).into_owned(),
            });
        }
        if !(200..=299).contains(&self.status) {
            return Err(TypeError::BadStatus {
                status: self.status,
            });
        }
        Ok(())
    }
}

/// Strips leading and trailing HTTP tab or space bytes (0x09, 0x20), as the
/// Web API does; other whitespace (CR, LF, NBSP) stays and fails the match.
pub(crate) fn trim_http_whitespace(value: &[u8]) -> &[u8] {
    let is_http_ws = |b: &u8| *b == b'\t' || *b == b' ';
    let start = value
        .iter()
        .position(|b| !is_http_ws(b))
        .unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_http_ws(b))
        .map_or(start, |i| i + 1);
    &value[start..end]
}
