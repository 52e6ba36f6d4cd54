//! [`HostFunc`]: a host function that belongs to no store yet.

use alloc::sync::Arc;
use core::fmt;

use wasmi::{AsContextMut, Caller, Func, FuncType, Val, WasmRet, WasmTy, WasmTyList};

/// Makes the function in one store.
type MakeFunc<T> = dyn Fn(&mut wasmi::StoreContextMut<'_, T>) -> Func + Send + Sync;

/// A host function defined independently of any [`Store`](wasmi::Store): it
/// becomes a [`Func`] in a store each time a module that imports it is
/// instantiated there, so one [`Imports`](crate::Imports) serves many stores.
///
/// Cloning is cheap (the closure is shared).
///
/// ```
/// use wasmstream::HostFunc;
/// use wasmstream::wasmi::{Caller, FuncType, Val, ValType};
///
/// // Typed: the signature comes from the closure, `(i32, i32) -> (i32)`.
/// let add = HostFunc::<()>::wrap(|a: i32, b: i32| a.wrapping_add(b));
/// assert_eq!(add.ty(), &FuncType::new([ValType::I32, ValType::I32], [ValType::I32]));
///
/// // Untyped: the signature is given, values come as `Val`s.
/// let ty = FuncType::new([ValType::I64], [ValType::I64]);
/// let double = HostFunc::<()>::new(ty, |_caller: Caller<'_, ()>, params: &[Val], results: &mut [Val]| {
///     results[0] = Val::I64(params[0].i64().unwrap_or(0) * 2);
///     Ok(())
/// });
/// assert_eq!(double.ty().params(), &[ValType::I64]);
/// ```
pub struct HostFunc<T> {
    ty: FuncType,
    make: Arc<MakeFunc<T>>,
}

impl<T> Clone for HostFunc<T> {
    fn clone(&self) -> Self {
        HostFunc {
            ty: self.ty.clone(),
            make: Arc::clone(&self.make),
        }
    }
}

impl<T> fmt::Debug for HostFunc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostFunc")
            .field("ty", &self.ty)
            .finish_non_exhaustive()
    }
}

impl<T> HostFunc<T> {
    /// The function's signature.
    #[must_use]
    pub fn ty(&self) -> &FuncType {
        &self.ty
    }
}

impl<T: 'static> HostFunc<T> {
    /// A host function from a closure with wasmi's [`Func::wrap`] signatures:
    /// parameters and results of Wasm types (`i32`, `u64`, `f32`, …, a tuple
    /// for several results, or a `Result<_, wasmi::Error>` to trap), with an
    /// optional [`Caller`] first.
    #[must_use]
    pub fn wrap<Params, Results>(func: impl IntoHostFunc<T, Params, Results>) -> Self {
        func.into_host_func()
    }

    /// A host function with an explicit signature, taking and returning
    /// [`Val`]s (wasmi's [`Func::new`]). `results` has the length of the
    /// signature's results; the values written must have their types.
    #[must_use]
    pub fn new(
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), wasmi::Error>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        let func = Arc::new(func);
        let func_ty = ty.clone();
        HostFunc {
            ty,
            make: Arc::new(move |store| {
                let func = Arc::clone(&func);
                Func::new(
                    &mut *store,
                    func_ty.clone(),
                    move |caller, params, results| func(caller, params, results),
                )
            }),
        }
    }

    /// Makes the function in `store` (a new [`Func`] each call; the store
    /// keeps it until the store is dropped, so an unused one is wasted).
    #[must_use]
    pub fn to_func(&self, mut store: impl AsContextMut<Data = T>) -> Func {
        (self.make)(&mut store.as_context_mut())
    }
}

/// Closures that [`HostFunc::wrap`] accepts: the same shapes as wasmi's
/// [`IntoFunc`](wasmi::IntoFunc), `Fn(A1, …, An) -> R` and
/// `Fn(Caller<T>, A1, …, An) -> R`, for up to 16 parameters.
///
/// Implemented for every such closure; there is nothing to implement by hand.
///
/// ```
/// use wasmstream::HostFunc;
/// use wasmstream::wasmi::Caller;
///
/// // A counter kept in the store's data; traps (returns an error) past 100.
/// let count = HostFunc::<u32>::wrap(|mut caller: Caller<'_, u32>| {
///     *caller.data_mut() += 1;
///     if *caller.data() > 100 {
///         return Err(wasmstream::wasmi::Error::new("too many ticks"));
///     }
///     Ok(*caller.data() as i32)
/// });
/// assert_eq!(count.ty().results().len(), 1);
/// ```
pub trait IntoHostFunc<T, Params, Results>: Send + Sync + 'static {
    /// Wraps the closure.
    fn into_host_func(self) -> HostFunc<T>;
}

/// Marks, in [`IntoHostFunc`]'s parameter list, the closures that take a
/// [`Caller`] first. It only tells the two closure shapes apart.
///
/// ```
/// use wasmstream::link::{HostFunc, IntoHostFunc, WithCaller};
/// use wasmstream::wasmi::Caller;
///
/// fn wrap_with_caller<F: IntoHostFunc<(), (WithCaller, i32), ()>>(f: F) -> HostFunc<()> {
///     f.into_host_func()
/// }
/// let func = wrap_with_caller(|_caller: Caller<'_, ()>, _x: i32| {});
/// assert_eq!(func.ty().params().len(), 1);
/// ```
#[derive(Debug, Copy, Clone)]
pub struct WithCaller;

/// The signature of a closure with parameters `Params` and return `R`.
///
/// `WasmTy::ty` and `WasmTyList::types` are public but hidden in wasmi's
/// docs; they are the only way to learn the signature without a store.
fn signature<R: WasmRet>(params: &[wasmi::ValType]) -> FuncType {
    let results = <<R as WasmRet>::Ok as WasmTyList>::types();
    FuncType::new(params.iter().copied(), results.as_ref().iter().copied())
}

macro_rules! impl_into_host_func {
    ($($arg:ident)*) => {
        impl<T, F, $($arg,)* R> IntoHostFunc<T, ($($arg,)*), R> for F
        where
            T: 'static,
            F: Fn($($arg),*) -> R + Send + Sync + 'static,
            $($arg: WasmTy + 'static,)*
            R: WasmRet + 'static,
        {
            #[allow(non_snake_case)]
            fn into_host_func(self) -> HostFunc<T> {
                let ty = signature::<R>(&[$(<$arg as WasmTy>::ty()),*]);
                let func = Arc::new(self);
                HostFunc {
                    ty,
                    make: Arc::new(move |store| {
                        let func = Arc::clone(&func);
                        Func::wrap(&mut *store, move |$($arg: $arg),*| func($($arg),*))
                    }),
                }
            }
        }

        impl<T, F, $($arg,)* R> IntoHostFunc<T, (WithCaller, $($arg,)*), R> for F
        where
            T: 'static,
            F: Fn(Caller<'_, T>, $($arg),*) -> R + Send + Sync + 'static,
            $($arg: WasmTy + 'static,)*
            R: WasmRet + 'static,
        {
            #[allow(non_snake_case)]
            fn into_host_func(self) -> HostFunc<T> {
                let ty = signature::<R>(&[$(<$arg as WasmTy>::ty()),*]);
                let func = Arc::new(self);
                HostFunc {
                    ty,
                    make: Arc::new(move |store| {
                        let func = Arc::clone(&func);
                        Func::wrap(
                            &mut *store,
                            move |caller: Caller<'_, T>, $($arg: $arg),*| func(caller, $($arg),*),
                        )
                    }),
                }
            }
        }
    };
}

impl_into_host_func!();
impl_into_host_func!(A1);
impl_into_host_func!(A1 A2);
impl_into_host_func!(A1 A2 A3);
impl_into_host_func!(A1 A2 A3 A4);
impl_into_host_func!(A1 A2 A3 A4 A5);
impl_into_host_func!(A1 A2 A3 A4 A5 A6);
impl_into_host_func!(A1 A2 A3 A4 A5 A6 A7);
impl_into_host_func!(A1 A2 A3 A4 A5 A6 A7 A8);
impl_into_host_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9);
impl_into_host_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10);
impl_into_host_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11);
impl_into_host_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12);
impl_into_host_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13);
impl_into_host_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14);
impl_into_host_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14 A15);
impl_into_host_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14 A15 A16);
