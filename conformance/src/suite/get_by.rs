//! The generated accessors: `get_by_*`, `filter_by_*`, `update_by_*` and `delete_by_*` for
//! the primary key (single and composite), its partition field, unique fields, indexes and
//! composite indexes.

use super::support::{expect_err, sorted};
use crate::Test;
use toasty::{Db, ErrorKind, Result};

#[derive(Debug, toasty::Model)]
#[key(team, number)]
#[index(city, age)]
struct Player {
    team: String,
    number: i32,
    #[unique]
    handle: String,
    #[index]
    city: String,
    age: i32,
}

async fn seed(t: &mut Test) -> Result<Db> {
    let mut db = t.setup_db(toasty::models!(Player)).await?;
    toasty::create!(Player::[
        { team: "red", number: 1, handle: "ann", city: "Oslo", age: 20 },
        { team: "red", number: 2, handle: "bo", city: "Rome", age: 30 },
        { team: "blue", number: 1, handle: "cy", city: "Oslo", age: 30 },
        { team: "blue", number: 7, handle: "di", city: "Oslo", age: 20 },
    ])
    .exec(&mut db)
    .await?;
    Ok(db)
}

fn handles(players: Vec<Player>) -> Vec<String> {
    sorted(players.into_iter().map(|p| p.handle).collect())
}

/// `get_by_team_and_number` finds one record by its composite key; a missing key is
/// not-found.
pub async fn get_by_composite_key(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let p = Player::get_by_team_and_number(&mut db, "blue", 1).await?;
    assert_eq!(p.handle, "cy");
    let p = Player::get_by_team_and_number(&mut db, "red", 1).await?;
    assert_eq!(p.handle, "ann");
    let r = Player::get_by_team_and_number(&mut db, "green", 1).await;
    expect_err(r, ErrorKind::NotFound, &[]);
    let r = Player::get_by_team_and_number(&mut db, "red", 7).await;
    expect_err(r, ErrorKind::NotFound, &[]);
    Ok(())
}

/// `get_by_<unique field>` finds the record; a missing value is not-found.
pub async fn get_by_unique_field(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let p = Player::get_by_handle(&mut db, "di").await?;
    assert_eq!((p.team.as_str(), p.number), ("blue", 7));
    let r = Player::get_by_handle(&mut db, "DI").await;
    expect_err(r, ErrorKind::NotFound, &[]);
    Ok(())
}

/// `filter_by_<partition field>` of a composite key returns the whole partition.
pub async fn filter_by_partition_field(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let red = Player::filter_by_team("red").exec(&mut db).await?;
    assert_eq!(handles(red), ["ann", "bo"]);
    let none = Player::filter_by_team("green").exec(&mut db).await?;
    assert!(none.is_empty());
    Ok(())
}

/// `filter_by_<key>` / `filter_by_<unique>` / `filter_by_<index>` /
/// `filter_by_<composite index>` select exactly the matching records.
pub async fn filter_by_key_unique_and_indexes(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    let by_key = Player::filter_by_team_and_number("red", 2)
        .exec(&mut db)
        .await?;
    assert_eq!(handles(by_key), ["bo"]);
    let by_unique = Player::filter_by_handle("cy").exec(&mut db).await?;
    assert_eq!(handles(by_unique), ["cy"]);
    let by_index = Player::filter_by_city("Oslo").exec(&mut db).await?;
    assert_eq!(handles(by_index), ["ann", "cy", "di"]);
    let by_pair = Player::filter_by_city_and_age("Oslo", 20)
        .exec(&mut db)
        .await?;
    assert_eq!(handles(by_pair), ["ann", "di"]);
    let none = Player::filter_by_city_and_age("Rome", 20)
        .exec(&mut db)
        .await?;
    assert!(none.is_empty());
    Ok(())
}

/// `update_by_*` for the key, the partition field, a unique field, an index and a composite
/// index update exactly the selected records.
pub async fn update_by_generated_accessors(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    Player::update_by_team_and_number("red", 1)
        .age(21)
        .exec(&mut db)
        .await?;
    assert_eq!(Player::get_by_handle(&mut db, "ann").await?.age, 21);

    Player::update_by_handle("bo")
        .city("Oslo")
        .exec(&mut db)
        .await?;
    assert_eq!(Player::get_by_handle(&mut db, "bo").await?.city, "Oslo");

    Player::update_by_city_and_age("Oslo", 30)
        .age(31)
        .exec(&mut db)
        .await?;
    assert_eq!(Player::get_by_handle(&mut db, "bo").await?.age, 31);
    assert_eq!(Player::get_by_handle(&mut db, "cy").await?.age, 31);
    assert_eq!(Player::get_by_handle(&mut db, "ann").await?.age, 21);

    Player::update_by_city("Oslo")
        .city("Bergen")
        .exec(&mut db)
        .await?;
    assert_eq!(
        Player::filter_by_city("Oslo").count().exec(&mut db).await?,
        0
    );
    assert_eq!(
        Player::filter_by_city("Bergen")
            .count()
            .exec(&mut db)
            .await?,
        4
    );

    Player::update_by_team("blue").age(99).exec(&mut db).await?;
    let blue: Vec<i32> = Player::filter_by_team("blue")
        .exec(&mut db)
        .await?
        .into_iter()
        .map(|p| p.age)
        .collect();
    assert_eq!(blue, [99, 99]);
    assert_eq!(Player::get_by_handle(&mut db, "ann").await?.age, 21);
    Ok(())
}

/// `delete_by_*` for the key, a unique field, a composite index, an index and the
/// partition field delete exactly the selected records.
pub async fn delete_by_generated_accessors(t: &mut Test) -> Result<()> {
    let mut db = seed(t).await?;
    Player::delete_by_team_and_number(&mut db, "red", 1).await?;
    let r = Player::get_by_handle(&mut db, "ann").await;
    expect_err(r, ErrorKind::NotFound, &[]);

    Player::delete_by_handle(&mut db, "bo").await?;
    assert_eq!(
        Player::filter_by_team("red").count().exec(&mut db).await?,
        0
    );

    Player::delete_by_city_and_age(&mut db, "Oslo", 20).await?;
    assert_eq!(
        handles(Player::filter_by_team("blue").exec(&mut db).await?),
        ["cy"]
    );

    toasty::create!(Player {
        team: "red",
        number: 3,
        handle: "eve",
        city: "Oslo",
        age: 5
    })
    .exec(&mut db)
    .await?;
    Player::delete_by_city(&mut db, "Oslo").await?;
    assert_eq!(
        Player::filter_by_city("Oslo").count().exec(&mut db).await?,
        0
    );

    toasty::create!(Player {
        team: "red",
        number: 4,
        handle: "fay",
        city: "Nice",
        age: 5
    })
    .exec(&mut db)
    .await?;
    Player::delete_by_team(&mut db, "red").await?;
    assert_eq!(
        Player::filter_by_team("red").count().exec(&mut db).await?,
        0
    );
    Ok(())
}
