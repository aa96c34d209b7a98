//! `#[default(expr)]` (applied on create when the field is not given) and `#[update(expr)]`
//! (applied on every update that does not set the field, and on create when the field has
//! no `#[default]` and is not given).

use crate::Test;
use toasty::Result;

#[derive(Debug, toasty::Model)]
struct Doc {
    #[key]
    #[auto]
    id: uuid::Uuid,
    #[index]
    folder: String,
    #[default(0)]
    views: i64,
    #[default("draft")]
    status: String,
    #[default(Some(1))]
    version: Option<i32>,
    #[update("edited")]
    last_action: Option<String>,
    #[default(jiff::Timestamp::UNIX_EPOCH)]
    #[update(jiff::Timestamp::from_second(86_400).expect("valid"))]
    touched: jiff::Timestamp,
}

/// Defaults fill omitted fields on create, in single and batch creates; given values win.
/// A field with only `#[update(expr)]` gets that value on create too (as in the Toasty
/// guide); with both, `#[default]` applies on create.
pub async fn defaults_on_create(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Doc)).await?;
    let d = Doc::create().folder("f").exec(&mut db).await?;
    assert_eq!(
        (
            d.views,
            d.status.as_str(),
            d.version,
            d.last_action.as_deref()
        ),
        (0, "draft", Some(1), Some("edited"))
    );
    assert_eq!(d.touched, jiff::Timestamp::UNIX_EPOCH);
    let back = Doc::get_by_id(&mut db, d.id).await?;
    assert_eq!(
        (
            back.views,
            back.status.as_str(),
            back.version,
            back.last_action.as_deref()
        ),
        (0, "draft", Some(1), Some("edited"))
    );

    let given = toasty::create!(Doc {
        folder: "f",
        views: 9,
        status: "live",
        version: None::<i32>,
    })
    .exec(&mut db)
    .await?;
    assert_eq!(
        (given.views, given.status.as_str(), given.version),
        (9, "live", None)
    );
    let back = Doc::get_by_id(&mut db, given.id).await?;
    assert_eq!(
        (back.views, back.status.as_str(), back.version),
        (9, "live", None)
    );

    let batch = toasty::create!(Doc::[{ folder: "g" }, { folder: "g", views: 3 }])
        .exec(&mut db)
        .await?;
    assert_eq!((batch[0].views, batch[1].views), (0, 3));
    assert_eq!(batch[1].status, "draft");
    Ok(())
}

/// `#[update]` values are applied on instance and query updates unless the field is set.
pub async fn defaults_on_update(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Doc)).await?;
    let mut d = Doc::create().folder("f").exec(&mut db).await?;
    let day = jiff::Timestamp::from_second(86_400).expect("valid");
    d.update().views(1).exec(&mut db).await?;
    assert_eq!(
        (d.views, d.last_action.as_deref(), d.touched),
        (1, Some("edited"), day)
    );
    let back = Doc::get_by_id(&mut db, d.id).await?;
    assert_eq!(
        (back.last_action.as_deref(), back.touched),
        (Some("edited"), day)
    );

    d.update().last_action("renamed").exec(&mut db).await?;
    assert_eq!(d.last_action.as_deref(), Some("renamed"));
    assert_eq!(
        Doc::get_by_id(&mut db, d.id).await?.last_action.as_deref(),
        Some("renamed")
    );

    let other = Doc::create().folder("g").exec(&mut db).await?;
    Doc::update_by_folder("g").views(5).exec(&mut db).await?;
    let back = Doc::get_by_id(&mut db, other.id).await?;
    assert_eq!(
        (back.views, back.last_action.as_deref(), back.touched),
        (5, Some("edited"), day)
    );
    assert_eq!(back.status, "draft", "#[default] is not applied on update");
    Ok(())
}
