//! The statement macros `create!` and `update!`.

/// Creates records with struct-literal syntax.
///
/// ```ignore
/// // One record: expands to User::create().name("Ada").email("a@x")
/// let user = toasty::create!(User { name: "Ada", email: "a@x" }).exec(&mut db).await?;
///
/// // Several records in one statement
/// let users = toasty::create!(User::[
///     { name: "Ada", email: "a@x" },
///     { name: "Bob", email: "b@x" },
/// ])
/// .exec(&mut db)
/// .await?;
/// ```
#[macro_export]
macro_rules! create {
    ($model:ident :: [ $( { $($field:ident : $value:expr),* $(,)? } ),* $(,)? ]) => {
        $crate::CreateMany::<$model>::new() $( .item($model::create() $(.$field($value))* ) )*
    };
    ($model:path { $($field:ident : $value:expr),* $(,)? }) => {
        <$model>::create() $(.$field($value))*
    };
}

/// Updates a record with struct-literal syntax, and the local value with it on success.
///
/// ```ignore
/// // Expands to user.update().name("Bob")
/// toasty::update!(user { name: "Bob" }).exec(&mut db).await?;
/// assert_eq!(user.name, "Bob");
/// ```
#[macro_export]
macro_rules! update {
    ($target:ident { $($field:ident : $value:expr),* $(,)? }) => {
        $target.update() $(.$field($value))*
    };
}
