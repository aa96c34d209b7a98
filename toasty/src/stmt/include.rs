//! Relation paths for `.include(..)`: `User::fields().todos()` and, nested,
//! `User::fields().todos().user()`.

use std::marker::PhantomData;

/// The deepest include path (relations followed from the queried model).
pub(crate) const MAX_INCLUDE_DEPTH: usize = 8;

/// A path of relations from model `O`, each step a relation's position among its model's
/// relation fields. Generated `<Model>Fields` types carry one; `.include(..)` takes it.
pub struct IncludePath<O> {
    steps: [u16; MAX_INCLUDE_DEPTH],
    len: u8,
    /// The path was extended past [`MAX_INCLUDE_DEPTH`] (reported when the query runs).
    overflow: bool,
    _o: PhantomData<fn() -> O>,
}

impl<O> Clone for IncludePath<O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<O> Copy for IncludePath<O> {}

impl<O> std::fmt::Debug for IncludePath<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.steps()).finish()
    }
}

impl<O> Default for IncludePath<O> {
    fn default() -> Self {
        Self::root()
    }
}

impl<O> IncludePath<O> {
    /// The empty path (the model itself).
    pub const fn root() -> Self {
        IncludePath {
            steps: [0; MAX_INCLUDE_DEPTH],
            len: 0,
            overflow: false,
            _o: PhantomData,
        }
    }

    /// This path followed by the relation at position `relation` of the model it ends
    /// at (generated code calls this).
    pub const fn push(mut self, relation: u16) -> Self {
        if (self.len as usize) < MAX_INCLUDE_DEPTH {
            self.steps[self.len as usize] = relation;
            self.len += 1;
        } else {
            self.overflow = true;
        }
        self
    }

    /// The relation positions, from the root.
    pub fn steps(&self) -> &[u16] {
        &self.steps[..self.len as usize]
    }

    pub(crate) fn overflowed(&self) -> bool {
        self.overflow
    }
}

/// A relation path that `.include(..)` accepts: the value of
/// `Model::fields().relation()`, possibly nested (`.relation().other()`). Implemented by
/// the generated `<Model>Fields` types.
pub trait IntoInclude<O> {
    /// The path.
    fn into_include(self) -> IncludePath<O>;
}

impl<O> IntoInclude<O> for IncludePath<O> {
    fn into_include(self) -> IncludePath<O> {
        self
    }
}
