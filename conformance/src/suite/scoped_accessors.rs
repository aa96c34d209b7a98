//! The accessors of a `#[has_many]` relation query (`user.todos()`), scoped to the
//! parent: `get_by_*`, `filter_by_*`, `update_by_*` and `delete_by_*` for the target's
//! key and indexes look only among the parent's records; the query keeps them after
//! `.filter(..)` / `.order_by(..)` and still converts into a `toasty::Query`.

use super::support::{expect_err, sorted};
use crate::Test;
use toasty::{ErrorKind, Result};
use uuid::Uuid;

#[derive(Debug, toasty::Model)]
struct Owner {
    #[key]
    #[auto]
    id: Uuid,
    name: String,
    #[has_many]
    pets: toasty::HasMany<Pet>,
}

#[derive(Debug, toasty::Model)]
struct Pet {
    #[key]
    #[auto]
    id: Uuid,
    #[index]
    owner_id: Uuid,
    #[belongs_to]
    owner: toasty::BelongsTo<Owner>,
    #[index]
    species: String,
    #[unique]
    chip: String,
    name: String,
}

fn names(pets: &[Pet]) -> Vec<String> {
    sorted(pets.iter().map(|p| p.name.clone()).collect())
}

async fn two_owners(db: &mut toasty::Db) -> Result<(Owner, Owner)> {
    let ada = toasty::create!(Owner {
        name: "Ada",
        pets: [
            { species: "cat", chip: "c1", name: "Tom" },
            { species: "dog", chip: "c2", name: "Rex" },
            { species: "cat", chip: "c3", name: "Kit" },
        ],
    })
    .exec(db)
    .await?;
    let bob = toasty::create!(Owner {
        name: "Bob",
        pets: [{ species: "cat", chip: "c4", name: "Bob's cat" }],
    })
    .exec(db)
    .await?;
    Ok((ada, bob))
}

/// `get_by_*` and `filter_by_*` find only the parent's records.
pub async fn scoped_get_and_filter(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Owner, Pet)).await?;
    let (ada, bob) = two_owners(&mut db).await?;
    let bobs = bob.pets().exec(&mut db).await?;
    let adas = ada.pets().exec(&mut db).await?;

    let first = &adas[0];
    let found = ada.pets().get_by_id(&mut db, first.id).await?;
    assert_eq!(found.id, first.id);
    let found = ada.pets().get_by_id(&mut db, &first.id).await?;
    assert_eq!(found.name, first.name);
    // Bob's pet exists, but not among Ada's.
    let r = ada.pets().get_by_id(&mut db, bobs[0].id).await;
    expect_err(r, ErrorKind::NotFound, &[]);
    let r = ada.pets().get_by_chip(&mut db, "c4").await;
    expect_err(r, ErrorKind::NotFound, &[]);
    assert_eq!(ada.pets().get_by_chip(&mut db, "c2").await?.name, "Rex");

    let cats = ada.pets().filter_by_species("cat").exec(&mut db).await?;
    assert_eq!(names(&cats), ["Kit", "Tom"]);
    assert_eq!(
        bob.pets()
            .filter_by_species("cat")
            .count()
            .exec(&mut db)
            .await?,
        1
    );
    // The accessors stay after other builder calls, and combine with them.
    let kit = ada
        .pets()
        .filter(Pet::fields().name().eq("Kit"))
        .filter_by_species("cat")
        .exec(&mut db)
        .await?;
    assert_eq!(names(&kit), ["Kit"]);
    let none = ada
        .pets()
        .order_by(Pet::fields().name().asc())
        .filter_by_species("bird")
        .first()
        .exec(&mut db)
        .await?;
    assert!(none.is_none());

    // Still a query: into toasty::Query, and through Deref its &self methods.
    let q: toasty::Query<Pet> = ada.pets().into();
    assert_eq!(q.count().exec(&mut db).await?, 3);
    let made = ada
        .pets()
        .create()
        .species("fish")
        .chip("c5")
        .name("Nemo")
        .exec(&mut db)
        .await?;
    assert_eq!(made.owner_id, ada.id);
    let batch = toasty::batch((ada.pets().filter_by_species("fish"), bob.pets()))
        .exec(&mut db)
        .await?;
    assert_eq!((batch.0.len(), batch.1.len()), (1, 1));
    Ok(())
}

/// `update_by_*` and `delete_by_*` (and `.filter_by_*(..).update()` / `.delete()`)
/// change only the parent's records.
pub async fn scoped_update_and_delete(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Owner, Pet)).await?;
    let (ada, bob) = two_owners(&mut db).await?;
    let bobs = bob.pets().exec(&mut db).await?;
    let rex = ada.pets().get_by_chip(&mut db, "c2").await?;

    // Through another owner's scope nothing changes.
    let n = bob
        .pets()
        .update_by_id(rex.id)
        .name("Stolen")
        .exec(&mut db)
        .await?;
    assert_eq!(n, 0);
    assert_eq!(Pet::get_by_id(&mut db, rex.id).await?.name, "Rex");

    let n = ada
        .pets()
        .filter_by_id(rex.id)
        .update()
        .name("Rexy")
        .exec(&mut db)
        .await?;
    assert_eq!(n, 1);
    assert_eq!(Pet::get_by_id(&mut db, rex.id).await?.name, "Rexy");
    let n = ada
        .pets()
        .update_by_chip("c1")
        .name("Tommy")
        .exec(&mut db)
        .await?;
    assert_eq!(n, 1);
    toasty::update!(ada.pets().filter_by_chip("c3") { name: "Kitty" })
        .exec(&mut db)
        .await?;
    assert_eq!(
        names(&ada.pets().exec(&mut db).await?),
        ["Kitty", "Rexy", "Tommy"]
    );

    // Deleting through another owner's scope deletes nothing.
    assert_eq!(bob.pets().delete_by_id(&mut db, rex.id).await?, 0);
    assert_eq!(ada.pets().delete_by_id(&mut db, rex.id).await?, 1);
    assert_eq!(Pet::filter_by_id(rex.id).count().exec(&mut db).await?, 0);
    let n = ada
        .pets()
        .filter_by_species("cat")
        .delete()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 2);
    assert_eq!(ada.pets().count().exec(&mut db).await?, 0);
    // Bob's cat is untouched.
    assert_eq!(
        bob.pets().get_by_id(&mut db, bobs[0].id).await?.name,
        "Bob's cat"
    );
    assert_eq!(bob.pets().delete_by_species(&mut db, "cat").await?, 1);
    assert_eq!(Pet::filter_by_chip("c4").count().exec(&mut db).await?, 0);
    Ok(())
}
