//! Create, read, update and delete of single records.

use crate::Test;
use toasty::Result;

#[derive(Debug, toasty::Model)]
struct Person {
    #[key]
    #[auto]
    id: uuid::Uuid,
    #[unique]
    email: String,
    name: String,
}

/// The basic life cycle of one record.
pub async fn create_get_update_delete(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Person)).await?;
    let mut p = toasty::create!(Person {
        email: "a@x",
        name: "Ada"
    })
    .exec(&mut db)
    .await?;
    let got = Person::get_by_id(&mut db, p.id).await?;
    assert_eq!(got.name, "Ada");
    toasty::update!(p { name: "Ada L." }).exec(&mut db).await?;
    assert_eq!(Person::get_by_email(&mut db, "a@x").await?.name, "Ada L.");
    p.delete().exec(&mut db).await?;
    let err = Person::get_by_id(&mut db, p.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    Ok(())
}
