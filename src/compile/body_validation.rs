//! Validates one function body's operators, with one of two loops that make
//! the same checks, in the same order, with the same errors at the same
//! offsets.
//!
//! Built with `opt-level = "s"` or `"z"` (firmware; `build.rs` sets
//! `cfg(wasmstream_opt_size)`), it is wasmparser's own
//! `FuncValidator::validate`: the smaller code. Otherwise it is the loop in
//! [`operator_loop`], which fat LTO turns into the faster code.

#[cfg(not(wasmstream_opt_size))]
pub(super) use operator_loop::validate_body;

/// Validates `body` in full with `validator`.
#[cfg(wasmstream_opt_size)]
pub(super) fn validate_body(
    validator: &mut wasmparser::FuncValidator<wasmparser::ValidatorResources>,
    body: &wasmparser::FunctionBody<'_>,
) -> Result<(), wasmparser::BinaryReaderError> {
    validator.validate(body)
}

#[cfg(not(wasmstream_opt_size))]
mod operator_loop {
    //! The same checks as wasmparser's `FuncValidator::validate`, in the same
    //! order, with the same errors at the same offsets; only the loop differs.
    //! There, every operator's result is a `Result` the loop branches on, so
    //! each operator leaves the loop twice over (decoding and validation can
    //! each fail). LLVM then judges the loop to run few times, judges the
    //! decoder's operand reads cold and leaves them out of line: under fat LTO,
    //! about 7 % more instructions than wasmi's own validating loop over the
    //! same module. Here the visitor keeps the first validation error and
    //! returns nothing, so the loop has one ordinary exit per operator and fat
    //! LTO inlines the reads (`docs/performance.md`; without LTO this loop costs
    //! a few per cent more).

    use wasmparser::{
        BinaryReaderError, FuncValidator, FunctionBody, ValidatorResources, VisitOperator,
    };

    /// Validates `body` in full with `validator`, as `FuncValidator::validate`
    /// does.
    pub(in crate::compile) fn validate_body(
        validator: &mut FuncValidator<ValidatorResources>,
        body: &FunctionBody<'_>,
    ) -> Result<(), BinaryReaderError> {
        let mut reader = body.get_binary_reader();
        validator.read_locals(&mut reader)?;
        reader.set_features(*validator.features());
        let mut operators = Operators {
            validator,
            offset: 0,
            error: None,
        };
        while !reader.eof() {
            operators.offset = reader.original_position();
            if let Err(error) = reader.visit_operator(&mut operators) {
                return Err(invalid(error));
            }
            if let Some(error) = operators.error.take() {
                return Err(invalid(error));
            }
        }
        operators.validator.finish(reader.original_position())
    }

    /// Marks the way out of the loop for an invalid body as cold.
    #[cold]
    #[inline(never)]
    fn invalid(error: BinaryReaderError) -> BinaryReaderError {
        error
    }

    /// Hands each operator to the validator at its offset and keeps the first
    /// error, which ends the loop before the next operator is read.
    struct Operators<'v> {
        validator: &'v mut FuncValidator<ValidatorResources>,
        offset: usize,
        error: Option<BinaryReaderError>,
    }

    impl Operators<'_> {
        #[cold]
        #[inline(never)]
        fn fail(&mut self, error: BinaryReaderError) {
            self.error = Some(error);
        }
    }

    /// One `visit_*` method per operator: wasmparser's `for_each_visit_operator!`
    /// lists them with their arguments.
    macro_rules! forward_operators {
        ($visitor:ident; $( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident $ann:tt )*) => {
            $(
                #[inline]
                fn $visit(&mut self $($(, $arg: $argty)*)?) {
                    let result = self.validator.$visitor(self.offset).$visit($($($arg),*)?);
                    if let Err(error) = result {
                        self.fail(error);
                    }
                }
            )*
        };
    }

    macro_rules! forward_plain_operators {
        ($($list:tt)*) => { forward_operators!(visitor; $($list)*); };
    }

    impl<'a> VisitOperator<'a> for Operators<'_> {
        type Output = ();

        #[cfg(feature = "simd")]
        fn simd_visitor(
            &mut self,
        ) -> Option<&mut dyn wasmparser::VisitSimdOperator<'a, Output = Self::Output>> {
            Some(self)
        }

        wasmparser::for_each_visit_operator!(forward_plain_operators);
    }

    #[cfg(feature = "simd")]
    macro_rules! forward_simd_operators {
        ($($list:tt)*) => { forward_operators!(simd_visitor; $($list)*); };
    }

    #[cfg(feature = "simd")]
    impl wasmparser::VisitSimdOperator<'_> for Operators<'_> {
        wasmparser::for_each_visit_simd_operator!(forward_simd_operators);
    }
}
