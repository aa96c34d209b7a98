//! The statement macros `create!` and `update!` (procedural, from `toasty-macros`).

/// Creates records with struct-literal syntax. It builds a statement; run it with
/// `.exec(&mut db)`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> toasty::Result<()> {
/// # #[derive(Debug, toasty::Model)]
/// # struct User { #[key] #[auto] id: u64, name: String, email: String }
/// # #[derive(Debug, toasty::Model)]
/// # struct Post { #[key] #[auto] id: u64, title: String }
/// # let mut db = toasty::Db::builder().models(toasty::models!(User, Post)).connect("memory:").await?;
/// # db.push_schema().await?;
/// // One record: User::create().name("Ada").email(email)
/// let email = "ada@example.com";
/// let ada = toasty::create!(User { name: "Ada", email }).exec(&mut db).await?;
///
/// // Several records of one model, in one statement
/// let users = toasty::create!(User::[
///     { name: "Grace", email: "grace@example.com" },
///     { name: "Alan", email: "alan@example.com" },
/// ])
/// .exec(&mut db)
/// .await?;
///
/// // Records of several models, all or nothing (a toasty::batch)
/// let (user, post) = toasty::create!((
///     User { name: "Edsger", email: "edsger@example.com" },
///     Post { title: "Hello" },
/// ))
/// .exec(&mut db)
/// .await?;
/// # assert_eq!(users.len(), 2);
/// # Ok(())
/// # }
/// ```
pub use toasty_macros::create;

/// Updates with struct-literal syntax: a loaded record (which is kept in step), or every
/// record a query selects. It builds a statement; run it with `.exec(&mut db)`, which
/// returns how many records changed.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> toasty::Result<()> {
/// # #[derive(Debug, toasty::Model)]
/// # struct User { #[key] #[auto] id: u64, #[index] name: String, email: String }
/// # let mut db = toasty::Db::builder().models(toasty::models!(User)).connect("memory:").await?;
/// # db.push_schema().await?;
/// let mut user = toasty::create!(User { name: "Ada", email: "a@x" }).exec(&mut db).await?;
/// toasty::update!(user { name: "Ada Lovelace" }).exec(&mut db).await?;
/// assert_eq!(user.name, "Ada Lovelace");
///
/// let email = "ada@example.com";
/// let n = toasty::update!(User::filter_by_name("Ada Lovelace") { email })
///     .exec(&mut db)
///     .await?;
/// assert_eq!(n, 1);
/// # Ok(())
/// # }
/// ```
pub use toasty_macros::update;
