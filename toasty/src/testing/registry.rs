//! The models `#[derive(Model)]` registers, so a `#[toasty::test]` without `models(..)`
//! gets every model of its crate.

use crate::ModelSet;
use toasty_core::schema::app;

/// One model registered by `#[derive(Model)]`. Not part of the public API.
#[doc(hidden)]
pub struct RegisteredModel {
    /// `module_path!()` where the model is defined.
    pub module: &'static str,
    /// The model's definition.
    pub schema: fn() -> app::Model,
    /// Its `#[sensitive]` field positions.
    pub sensitive: &'static [usize],
}

inventory::collect!(RegisteredModel);

/// Every model defined in crate `crate_name` (the first segment of its module path).
pub fn registered_models(crate_name: &str) -> ModelSet {
    let mut set = ModelSet::new();
    let mut found: Vec<&RegisteredModel> = inventory::iter::<RegisteredModel>
        .into_iter()
        .filter(|m| m.module.split("::").next() == Some(crate_name))
        .collect();
    found.sort_by_key(|m| m.module);
    for m in found {
        let schema = (m.schema)();
        let name = schema.name.clone();
        set = set.add_definition(schema);
        for &field in m.sensitive {
            set = set.mark_sensitive(&name, field);
        }
    }
    set
}
