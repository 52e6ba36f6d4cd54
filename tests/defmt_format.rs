//! Feature `defmt`: every error type is `defmt::Format`, so firmware logs
//! them with `defmt::error!("{}", error)`. Checked by the compiler (the
//! host has no defmt logger to print through); `.ci/run` also builds the
//! feature for thumbv7em-none-eabihf.
#![cfg(feature = "defmt")]

use wasmstream::{
    CompileError, Error, ExternKind, IndexType, LimitExceeded, LinkError, RuntimeError, TypeError,
};

fn is_format<T: defmt::Format>() {}

#[test]
fn every_error_type_is_defmt_format() {
    is_format::<Error<embedded_io::ErrorKind>>();
    is_format::<Error<core::convert::Infallible>>();
    is_format::<TypeError>();
    is_format::<CompileError>();
    is_format::<LinkError>();
    is_format::<RuntimeError>();
    is_format::<LimitExceeded>();
    is_format::<ExternKind>();
    is_format::<IndexType>();
}
