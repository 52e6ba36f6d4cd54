//! The reqwless adapter (feature `reqwless`): a response of the embedded
//! HTTP client `reqwless` as an [`HttpResponse`].

use alloc::string::String;

use super::HttpResponse;
use super::body::Framing;
use super::head::{Head, combine_content_type, is_redirect};

/// A [`reqwless`](https://crates.io/crates/reqwless) response as a source for
/// [`compile_streaming_async`](crate::compile_streaming_async) and
/// [`instantiate_streaming_async`](crate::instantiate_streaming_async), in
/// one call: its status, its `Content-Type` lines (combined with ", " as
/// Fetch does), its `Location` for the redirect check, and its body reader
/// (reqwless de-chunks it).
///
/// reqwless does not notice a body shorter than its `Content-Length`; this
/// adapter does, and reports it as [`TypeError::BodyTooShort`](crate::TypeError::BodyTooShort).
/// Other body errors are reqwless's own, in
/// [`BodyError::Transport`](super::BodyError::Transport) ([`Error::Io`](crate::Error::Io)).
/// reqwless returns interim (1xx) responses as they are: they fail the status check.
///
/// ```no_run
/// # async fn example<T: embedded_nal_async::TcpConnect, D: embedded_nal_async::Dns>(
/// #     tcp: &T, dns: &D,
/// # ) -> Result<(), Box<dyn std::error::Error>> {
/// use reqwless::client::HttpClient;
/// use reqwless::request::Method;
/// use wasmstream::wasmi::Store;
/// use wasmstream::{Config, Imports, http, instantiate_streaming_async};
///
/// let engine = Config::new().engine();
/// let mut store = Store::new(&engine, ());
/// let imports = Imports::new(&engine);
///
/// let mut client = HttpClient::new(tcp, dns);
/// let mut head = [0u8; 1024];
/// let mut request = client.request(Method::GET, "http://192.168.1.2/app.wasm").await?;
/// let response = request.send(&mut head).await?;
/// let instantiated =
///     instantiate_streaming_async(&mut store, http::from_reqwless(response), &imports).await?;
/// # Ok(()) }
/// ```
pub fn from_reqwless<'resp, 'buf, C: embedded_io_async::Read>(
    response: reqwless::response::Response<'resp, 'buf, C>,
) -> HttpResponse<impl embedded_io_async::Read<Error = reqwless::Error> + use<'resp, 'buf, C>> {
    let status = response.status.0;
    let mut content_type = None;
    let mut location = None;
    for (name, value) in response.headers() {
        if name.eq_ignore_ascii_case("content-type") {
            combine_content_type(&mut content_type, value);
        } else if name.eq_ignore_ascii_case("location") && is_redirect(status) {
            location = Some(String::from_utf8_lossy(value).into_owned());
        }
    }
    // reqwless reads a fixed length whenever one is given (0 for 1xx and 204).
    let framing = match response.content_length {
        Some(length) => Framing::Length {
            expected: length as u64,
            received: 0,
        },
        None => Framing::ToEnd,
    };
    let head = Head {
        status,
        content_type,
        framing,
        location,
    };
    HttpResponse::from_head(head, response.body().reader())
}
