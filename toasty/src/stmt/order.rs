//! Typed orderings: `.order_by(User::fields().name().asc())` or a tuple of them.

use std::marker::PhantomData;
use toasty_core::stmt::{self, Direction};

/// One or more sort keys over model `M`.
pub struct OrderBy<M> {
    pub(crate) keys: Vec<stmt::OrderBy>,
    _m: PhantomData<fn() -> M>,
}

impl<M> Clone for OrderBy<M> {
    fn clone(&self) -> Self {
        OrderBy {
            keys: self.keys.clone(),
            _m: PhantomData,
        }
    }
}

impl<M> std::fmt::Debug for OrderBy<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.keys.fmt(f)
    }
}

impl<M> OrderBy<M> {
    pub(crate) fn new(field: usize, direction: Direction) -> Self {
        OrderBy {
            keys: vec![stmt::OrderBy {
                target: field,
                direction,
            }],
            _m: PhantomData,
        }
    }
}

/// Anything `.order_by()` accepts: one [`OrderBy`] or a tuple of up to six.
pub trait IntoOrderBy<M> {
    /// Converts into sort keys, most significant first.
    fn into_order_by(self) -> OrderBy<M>;
}

impl<M> IntoOrderBy<M> for OrderBy<M> {
    fn into_order_by(self) -> OrderBy<M> {
        self
    }
}

macro_rules! tuple_order_by {
    ($($name:ident),+) => {
        impl<M, $($name: IntoOrderBy<M>),+> IntoOrderBy<M> for ($($name,)+) {
            #[allow(non_snake_case)]
            fn into_order_by(self) -> OrderBy<M> {
                let ($($name,)+) = self;
                let mut keys = Vec::new();
                $(keys.extend($name.into_order_by().keys);)+
                OrderBy { keys, _m: PhantomData }
            }
        }
    };
}
tuple_order_by!(A);
tuple_order_by!(A, B);
tuple_order_by!(A, B, C);
tuple_order_by!(A, B, C, D);
tuple_order_by!(A, B, C, D, E);
tuple_order_by!(A, B, C, D, E, F);
