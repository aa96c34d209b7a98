//! Pointing a `#[has_one]` at another record with an update:
//! `person.update().passport(create!(Passport { .. }))` (a new record),
//! `.badge(&badge)` (an existing one) and `.badge(None)` (none), also through
//! `update!` and through an update by primary key. The previous child is deleted when its
//! foreign key is required (with its own children) and unlinked when it is optional; the
//! whole update is one atomic step.

use super::support::expect_err;
use crate::Test;
use toasty::{ErrorKind, Result};
use uuid::Uuid;

#[derive(Debug, toasty::Model)]
struct Person {
    #[key]
    #[auto]
    id: Uuid,
    name: String,
    /// The child's foreign key is required: a replaced passport is deleted.
    #[has_one]
    passport: toasty::HasOne<Option<Passport>>,
    /// The child's foreign key is optional: a replaced badge is unlinked.
    #[has_one]
    badge: toasty::HasOne<Option<Badge>>,
}

#[derive(Debug, toasty::Model)]
struct Passport {
    #[key]
    #[auto]
    id: Uuid,
    #[unique]
    person_id: Uuid,
    #[belongs_to]
    person: toasty::BelongsTo<Person>,
    #[unique]
    number: String,
    #[has_many]
    stamps: toasty::HasMany<Stamp>,
}

/// A child of a passport: deleted with it.
#[derive(Debug, toasty::Model)]
struct Stamp {
    #[key]
    #[auto]
    id: Uuid,
    #[index]
    passport_id: Uuid,
    #[belongs_to]
    passport: toasty::BelongsTo<Passport>,
    place: String,
}

#[derive(Debug, toasty::Model)]
struct Badge {
    #[key]
    #[auto]
    id: Uuid,
    #[unique]
    person_id: Option<Uuid>,
    #[belongs_to]
    person: toasty::BelongsTo<Option<Person>>,
    label: String,
}

/// A required `#[has_one]`: it can be replaced, not unset.
#[derive(Debug, toasty::Model)]
struct Account {
    #[key]
    #[auto]
    id: Uuid,
    #[has_one]
    settings: toasty::HasOne<Settings>,
}

#[derive(Debug, toasty::Model)]
struct Settings {
    #[key]
    #[auto]
    id: Uuid,
    #[unique]
    account_id: Uuid,
    #[belongs_to]
    account: toasty::BelongsTo<Account>,
    theme: String,
}

fn models() -> toasty::ModelSet {
    toasty::models!(Person, Passport, Stamp, Badge, Account, Settings)
}

async fn passport_of(db: &mut toasty::Db, p: &Person) -> Result<Option<String>> {
    Ok(p.passport().exec(db).await?.map(|x| x.number))
}

async fn badge_of(db: &mut toasty::Db, p: &Person) -> Result<Option<String>> {
    Ok(p.badge().exec(db).await?.map(|x| x.label))
}

/// A new child replaces the old one: a required foreign key deletes the old child (and
/// its children), an optional one unlinks it; the record's own fields change with it.
pub async fn has_one_update_replace_with_create(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(models()).await?;
    let mut ada = toasty::create!(Person {
        name: "Ada",
        passport: { number: "P1", stamps: [{ place: "Oslo" }, { place: "Rome" }] },
        badge: { label: "old" },
    })
    .exec(&mut db)
    .await?;
    let old_passport = ada.passport().exec(&mut db).await?.map(|p| p.id);
    let old_badge = ada.badge().exec(&mut db).await?.map(|b| b.id);

    let n = ada
        .update()
        .name("Ada L")
        .passport(toasty::create!(Passport { number: "P2" }))
        .exec(&mut db)
        .await?;
    assert_eq!(n, 1);
    assert_eq!(ada.name, "Ada L");
    assert_eq!(
        Person::get_by_id(&mut db, ada.id).await?.name,
        "Ada L",
        "the record's own field is updated with the relation"
    );
    assert_eq!(passport_of(&mut db, &ada).await?.as_deref(), Some("P2"));
    // The old passport (required foreign key) is gone, with its stamps.
    if let Some(id) = old_passport {
        assert_eq!(Passport::filter_by_id(id).count().exec(&mut db).await?, 0);
        assert_eq!(
            Stamp::filter_by_passport_id(id)
                .count()
                .exec(&mut db)
                .await?,
            0
        );
    }

    // Optional foreign key: the old badge stays, unlinked.
    ada.update()
        .badge(toasty::create!(Badge { label: "new" }))
        .exec(&mut db)
        .await?;
    assert_eq!(badge_of(&mut db, &ada).await?.as_deref(), Some("new"));
    let old = Badge::get_by_id(&mut db, old_badge.unwrap_or_default()).await?;
    assert_eq!(old.person_id, None);
    assert_eq!(old.label, "old");

    // Replacing when there is no child yet just creates one.
    let mut bob = toasty::create!(Person { name: "Bob" })
        .exec(&mut db)
        .await?;
    bob.update()
        .with_passport(|p| p.number("B1"))
        .exec(&mut db)
        .await?;
    assert_eq!(passport_of(&mut db, &bob).await?.as_deref(), Some("B1"));

    // The new child may bring its own children.
    bob.update()
        .passport(toasty::create!(Passport {
            number: "B2",
            stamps: [{ place: "Lima" }]
        }))
        .exec(&mut db)
        .await?;
    let p = bob.passport().exec(&mut db).await?;
    let Some(p) = p else {
        panic!("Bob has a passport")
    };
    assert_eq!(p.number, "B2");
    assert_eq!(p.stamps().count().exec(&mut db).await?, 1);

    // A required has_one is replaced the same way.
    let mut acct = toasty::create!(Account {
        settings: { theme: "dark" }
    })
    .exec(&mut db)
    .await?;
    acct.update()
        .settings(toasty::create!(Settings { theme: "light" }))
        .exec(&mut db)
        .await?;
    assert_eq!(acct.settings().exec(&mut db).await?.theme, "light");
    assert_eq!(
        Settings::filter_by_account_id(acct.id)
            .count()
            .exec(&mut db)
            .await?,
        1
    );
    Ok(())
}

/// An existing record becomes the child: it moves from any other parent, and the old
/// child is deleted or unlinked; linking the current child changes nothing.
pub async fn has_one_update_link_existing(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(models()).await?;
    let mut ada = toasty::create!(Person {
        name: "Ada",
        passport: { number: "A" },
        badge: { label: "a" },
    })
    .exec(&mut db)
    .await?;
    let bob = toasty::create!(Person {
        name: "Bob",
        passport: { number: "B" },
        badge: { label: "b" },
    })
    .exec(&mut db)
    .await?;
    let a_badge = ada.badge().exec(&mut db).await?;
    let b_badge = bob.badge().exec(&mut db).await?;
    let (Some(a_badge), Some(b_badge)) = (a_badge, b_badge) else {
        panic!("both have badges")
    };

    // Bob's badge moves to Ada; Ada's old badge is unlinked.
    ada.update().badge(&b_badge).exec(&mut db).await?;
    assert_eq!(badge_of(&mut db, &ada).await?.as_deref(), Some("b"));
    assert_eq!(badge_of(&mut db, &bob).await?, None);
    assert_eq!(Badge::get_by_id(&mut db, a_badge.id).await?.person_id, None);

    // Linking the current child again changes nothing.
    ada.update().badge(&b_badge).exec(&mut db).await?;
    assert_eq!(badge_of(&mut db, &ada).await?.as_deref(), Some("b"));
    assert_eq!(
        Badge::get_by_id(&mut db, b_badge.id).await?.person_id,
        Some(ada.id)
    );

    // Through an update by primary key (the guide's form), with a required foreign
    // key: Ada's passport is deleted, Bob's moves.
    let b_pass = bob.passport().exec(&mut db).await?;
    let a_pass = ada.passport().exec(&mut db).await?;
    let (Some(b_pass), Some(a_pass)) = (b_pass, a_pass) else {
        panic!("both have passports")
    };
    let n = Person::filter_by_id(ada.id)
        .update()
        .passport(&b_pass)
        .exec(&mut db)
        .await?;
    assert_eq!(n, 1);
    assert_eq!(passport_of(&mut db, &ada).await?.as_deref(), Some("B"));
    assert_eq!(passport_of(&mut db, &bob).await?, None);
    assert_eq!(
        Passport::filter_by_id(a_pass.id)
            .count()
            .exec(&mut db)
            .await?,
        0
    );

    // Linking a record that no longer exists fails, and changes nothing.
    let gone = toasty::create!(Badge { label: "gone" })
        .exec(&mut db)
        .await?;
    gone.delete().exec(&mut db).await?;
    let r = ada
        .update()
        .name("changed")
        .badge(&gone)
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::NotFound, &["Badge", "does not exist"]);
    assert_eq!(ada.name, "Ada");
    assert_eq!(Person::get_by_id(&mut db, ada.id).await?.name, "Ada");
    assert_eq!(badge_of(&mut db, &ada).await?.as_deref(), Some("b"));
    Ok(())
}

/// `None` unsets an optional `#[has_one]`: the child is unlinked (optional foreign key)
/// or deleted (required one); a required `#[has_one]` cannot be unset.
pub async fn has_one_update_unset(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(models()).await?;
    let mut ada = toasty::create!(Person {
        name: "Ada",
        passport: { number: "A", stamps: [{ place: "Oslo" }] },
        badge: { label: "a" },
    })
    .exec(&mut db)
    .await?;
    let badge = ada.badge().exec(&mut db).await?.map(|b| b.id);
    let passport = ada.passport().exec(&mut db).await?.map(|p| p.id);

    ada.update().badge(None).exec(&mut db).await?;
    assert_eq!(badge_of(&mut db, &ada).await?, None);
    let kept = Badge::get_by_id(&mut db, badge.unwrap_or_default()).await?;
    assert_eq!(kept.person_id, None);

    ada.update().passport(None).exec(&mut db).await?;
    assert_eq!(passport_of(&mut db, &ada).await?, None);
    let pid = passport.unwrap_or_default();
    assert_eq!(Passport::filter_by_id(pid).count().exec(&mut db).await?, 0);
    assert_eq!(
        Stamp::filter_by_passport_id(pid)
            .count()
            .exec(&mut db)
            .await?,
        0
    );

    // Unsetting what is not set is not an error.
    assert_eq!(ada.update().badge(None).exec(&mut db).await?, 1);

    // A required has_one cannot be unset.
    let mut acct = toasty::create!(Account {
        settings: { theme: "dark" }
    })
    .exec(&mut db)
    .await?;
    let r = acct.update().settings(None).exec(&mut db).await;
    expect_err(
        r,
        ErrorKind::InvalidStatement,
        &["Account.settings", "required"],
    );
    assert_eq!(acct.settings().exec(&mut db).await?.theme, "dark");
    Ok(())
}

/// `update!` gives a `#[has_one]` a new record (`{ .. }`), an existing one (`&record`)
/// or none (`None`).
pub async fn has_one_update_macro(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(models()).await?;
    let mut ada = toasty::create!(Person { name: "Ada" })
        .exec(&mut db)
        .await?;
    toasty::update!(ada {
        name: "Ada L",
        passport: { number: "X1" },
        badge: { label: "x" },
    })
    .exec(&mut db)
    .await?;
    assert_eq!(ada.name, "Ada L");
    assert_eq!(passport_of(&mut db, &ada).await?.as_deref(), Some("X1"));
    assert_eq!(badge_of(&mut db, &ada).await?.as_deref(), Some("x"));

    let spare = toasty::create!(Badge { label: "spare" })
        .exec(&mut db)
        .await?;
    toasty::update!(ada { badge: &spare }).exec(&mut db).await?;
    assert_eq!(badge_of(&mut db, &ada).await?.as_deref(), Some("spare"));

    toasty::update!(ada { badge: None }).exec(&mut db).await?;
    assert_eq!(badge_of(&mut db, &ada).await?, None);

    toasty::update!(Person::filter_by_id(ada.id) {
        passport: toasty::create!(Passport { number: "X2" }),
    })
    .exec(&mut db)
    .await?;
    assert_eq!(passport_of(&mut db, &ada).await?.as_deref(), Some("X2"));
    Ok(())
}

/// The update is one atomic step: when any part fails, nothing changes (the record's
/// fields, the old child, the new one).
pub async fn has_one_update_atomic(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(models()).await?;
    let mut ada = toasty::create!(Person {
        name: "Ada",
        passport: { number: "A", stamps: [{ place: "Oslo" }] },
    })
    .exec(&mut db)
    .await?;
    toasty::create!(Person {
        name: "Bob",
        passport: { number: "TAKEN" },
    })
    .exec(&mut db)
    .await?;

    // The new passport's number is taken: nothing is written.
    let r = ada
        .update()
        .name("changed")
        .passport(toasty::create!(Passport { number: "TAKEN" }))
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    assert_eq!(ada.name, "Ada");
    assert_eq!(Person::get_by_id(&mut db, ada.id).await?.name, "Ada");
    let p = ada.passport().exec(&mut db).await?;
    let Some(p) = p else {
        panic!("the old passport is still there")
    };
    assert_eq!(p.number, "A");
    assert_eq!(p.stamps().count().exec(&mut db).await?, 1);

    // In a batch, with another statement.
    let carl = toasty::create!(Person { name: "Carl" })
        .exec(&mut db)
        .await?;
    let mut ada = Person::get_by_id(&mut db, ada.id).await?;
    let (n, made) = toasty::batch((
        ada.update()
            .passport(toasty::create!(Passport { number: "A2" })),
        toasty::create!(Badge {
            label: "c",
            person: &carl
        }),
    ))
    .exec(&mut db)
    .await?;
    assert_eq!(n, 1);
    assert_eq!(made.person_id, Some(carl.id));
    assert_eq!(passport_of(&mut db, &ada).await?.as_deref(), Some("A2"));

    // Inside a transaction (SQL backends), a failed replacement aborts it like any
    // failed write, and rolling back leaves everything as it was.
    if t.is_sql() {
        let mut tx = db.transaction().await?;
        let r = ada
            .update()
            .passport(toasty::create!(Passport { number: "TAKEN" }))
            .exec(&mut tx)
            .await;
        expect_err(r, ErrorKind::UniqueViolation, &[]);
        tx.rollback().await?;
        assert_eq!(passport_of(&mut db, &ada).await?.as_deref(), Some("A2"));

        let mut tx = db.transaction().await?;
        ada.update()
            .passport(toasty::create!(Passport { number: "A3" }))
            .exec(&mut tx)
            .await?;
        tx.rollback().await?;
        assert_eq!(passport_of(&mut db, &ada).await?.as_deref(), Some("A2"));
    }
    Ok(())
}

/// What is refused, and updates that match no record.
pub async fn has_one_update_errors(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(models()).await?;
    let mut ada = toasty::create!(Person { name: "Ada" })
        .exec(&mut db)
        .await?;

    // The selection must be the one record, by its key.
    let r = Person::filter_by_name_placeholder(&ada)
        .update()
        .badge(toasty::create!(Badge { label: "x" }))
        .exec(&mut db)
        .await;
    expect_err(
        r,
        ErrorKind::InvalidStatement,
        &["Person.badge", "primary key"],
    );

    // The new child's foreign key comes from the record.
    let r = ada
        .update()
        .badge(toasty::create!(Badge {
            label: "x",
            person_id: Some(Uuid::new_v4())
        }))
        .exec(&mut db)
        .await;
    expect_err(
        r,
        ErrorKind::InvalidStatement,
        &["Badge.person_id", "leave it out"],
    );

    // A record that no longer exists: nothing is created.
    let gone = toasty::create!(Person { name: "Gone" })
        .exec(&mut db)
        .await?;
    let mut stale = Person::get_by_id(&mut db, gone.id).await?;
    gone.delete().exec(&mut db).await?;
    let r = stale
        .update()
        .badge(toasty::create!(Badge { label: "orphan" }))
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::NotFound, &[]);
    let n = Person::filter_by_id(gone.id)
        .update()
        .badge(toasty::create!(Badge { label: "orphan" }))
        .exec(&mut db)
        .await?;
    assert_eq!(n, 0);
    assert_eq!(
        Badge::filter_by_person_id(Some(gone.id))
            .count()
            .exec(&mut db)
            .await?,
        0
    );
    ada.update().name("still usable").exec(&mut db).await?;
    Ok(())
}

impl Person {
    /// A query that does not pin the primary key (by name).
    fn filter_by_name_placeholder(p: &Person) -> toasty::Query<Person> {
        Person::filter(Person::fields().name().eq(p.name.clone()))
    }
}
